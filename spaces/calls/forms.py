"""Call and application forms, read by the pages and by the JSON API alike."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from spaces.forms import BaseForm, NumberRange
from spaces.timeutils import MAX_YEAR, MIN_YEAR


def within_years(form, field) -> None:
    """Validator: a date between the years every other date of the site lies in."""
    if field.data is not None and not MIN_YEAR <= field.data.year < MAX_YEAR:
        raise ValidationError(
            _l("Give a date between %(low)s and %(high)s.", low=MIN_YEAR, high=MAX_YEAR - 1)
        )


def _date(label, message):
    return DateField(
        label,
        validators=[DataRequired(message=message), within_years],
        render_kw={"type": "date"},
    )


class CallForm(BaseForm):
    """A call: what is offered, for which period, until when people may apply."""

    title = StringField(
        _l("Title"),
        validators=[DataRequired(message=_l("Give the call a title.")), Length(max=200)],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[DataRequired(message=_l("Describe the premises.")), Length(max=10000)],
    )
    criteria = TextAreaField(_l("Selection criteria"), validators=[Optional(), Length(max=5000)])
    visit_info = TextAreaField(_l("Visit"), validators=[Optional(), Length(max=2000)])
    occupation_from = _date(_l("Occupation from"), _l("Give the first day (YYYY-MM-DD)."))
    occupation_until = _date(_l("Occupation until"), _l("Give the last day (YYYY-MM-DD)."))
    apply_until = StringField(
        _l("Applications until"),
        validators=[DataRequired(message=_l("Give the deadline.")), Length(max=40)],
        render_kw={"type": "datetime-local"},
    )

    def values(self) -> dict:
        """The fields as the services take them (``apply_until`` still as text)."""
        return {
            "title": self.title.data.strip(),
            "description": self.description.data or "",
            "criteria": self.criteria.data or "",
            "visit_info": self.visit_info.data or "",
            "occupation_from": self.occupation_from.data,
            "occupation_until": self.occupation_until.data,
            "apply_until": self.apply_until.data,
        }


class ApplicationForm(BaseForm):
    """An application: the project, the planned use, the dates and seats wanted, a contact."""

    project = TextAreaField(
        _l("Your project"),
        validators=[DataRequired(message=_l("Describe your project.")), Length(max=5000)],
    )
    planned_use = TextAreaField(
        _l("Planned use of the premises"),
        validators=[DataRequired(message=_l("Say how you would use the place.")), Length(max=2000)],
    )
    start_date = _date(_l("From"), _l("Give the first day (YYYY-MM-DD)."))
    end_date = _date(_l("Until"), _l("Give the last day (YYYY-MM-DD)."))
    seats = IntegerField(
        _l("Seats"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Ask for at least one seat.")),
            NumberRange(max=10000, message=_l("That is more seats than any place has.")),
        ],
    )
    organisation_name = StringField(
        _l("Association or company (optional)"), validators=[Optional(), Length(max=160)]
    )
    contact_phone = StringField(_l("Phone (optional)"), validators=[Optional(), Length(max=40)])

    def values(self) -> dict:
        return {
            "project": self.project.data,
            "planned_use": self.planned_use.data,
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "seats": self.seats.data or 1,
            "organisation_name": (self.organisation_name.data or "").strip(),
            "contact_phone": (self.contact_phone.data or "").strip(),
        }


class DeclineForm(BaseForm):
    """Declining an application: the reason the applicant will read."""

    reason = TextAreaField(
        _l("Reason"),
        validators=[DataRequired(message=_l("Give the applicant a reason.")), Length(max=500)],
    )
