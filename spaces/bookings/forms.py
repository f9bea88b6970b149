"""Booking forms (pages and API): the shape of a request; the engine checks the rest."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from spaces.forms import BaseForm, choices


class RepeatForm(Form):
    weekdays = FieldList(
        IntegerField(
            validators=[
                NumberRange(min=0, max=6, message=_l("A weekday is 0 (Monday) to 6 (Sunday)."))
            ]
        ),
        max_entries=7,
    )
    until = DateField(_l("Until"), validators=[Optional()])


class BookingForm(BaseForm):
    unit_id = IntegerField(validators=[DataRequired(message=_l("Choose what to book."))])
    start = StringField(_l("Start"), validators=[DataRequired(message=_l("Give the start."))])
    end = StringField(_l("End"), validators=[DataRequired(message=_l("Give the end."))])
    seats = IntegerField(
        _l("Seats"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, max=10000, message=_l("Book at least one seat.")),
        ],
    )
    note = TextAreaField(_l("Note for the host"), validators=[Optional(), Length(max=1000)])
    sponsor_organisation_id = IntegerField(_l("Paid by"), validators=[Optional()])
    repeat = FormField(RepeatForm)
    skip_conflicts = BooleanField(_l("Book the dates that fit and skip the others"))

    def repeat_data(self, requested: bool) -> dict | None:
        """The repeat rule when one was asked for; errors are added to the form."""
        if not requested:
            return None
        weekdays = [entry.data for entry in self.repeat.weekdays if entry.data is not None]
        return {"weekdays": sorted(set(weekdays)), "until": self.repeat.until.data}

    def validate_repeat_presence(self, requested: bool) -> dict:
        errors = {}
        if requested:
            if not [e for e in self.repeat.weekdays if e.data is not None]:
                errors["repeat.weekdays"] = [_l("Choose at least one weekday.")]
            if self.repeat.until.data is None:
                errors["repeat.until"] = [_l("Give the last date (YYYY-MM-DD).")]
        return errors


def page_formdata(formdata: MultiDict) -> MultiDict:
    """The booking page's fields as ``BookingForm`` reads them: its ``weekdays`` checkboxes and
    ``until`` date become ``repeat-weekdays-N`` and ``repeat-until``, so the page's repeat rule
    goes through the API's ``RepeatForm``."""
    data = MultiDict(formdata)
    for index, day in enumerate(data.poplist("weekdays")):
        data.add(f"repeat-weekdays-{index}", day)
    until = data.poplist("until")
    if until:
        data["repeat-until"] = until[0]
    return data


class MoveForm(BaseForm):
    start = StringField(_l("Start"), validators=[Optional()])
    end = StringField(_l("End"), validators=[Optional()])
    seats = IntegerField(_l("Seats"), validators=[Optional(), NumberRange(min=1, max=10000)])


class CancelForm(BaseForm):
    scope = SelectField(
        _l("Cancel"),
        choices=choices(
            [
                ("one", _l("This booking")),
                ("following", _l("This one and the following")),
                ("series", _l("The whole series")),
            ]
        ),
        default="one",
    )
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])


class DecisionForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
