"""Booking forms (pages and API): the shape of a request; the engine checks the rest."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, Optional

from spaces.errors import Invalid
from spaces.forms import BaseForm, NumberRange, SubForm, choices


class RepeatForm(SubForm):
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
    """A booking: a slot (``start``/``end``, date-times) or a term (``start_date``/``end_date``,
    whole local days, inclusive) — never both."""

    # Whether ``start_date``/``end_date`` ask for a term (the booking page has its own meaning
    # for ``end_date`` and turns this off).
    reads_terms = True

    unit_id = IntegerField(validators=[DataRequired(message=_l("Choose what to book."))])
    start = StringField(_l("Start"), validators=[Optional()])
    end = StringField(_l("End"), validators=[Optional()])
    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
    seats = IntegerField(
        _l("Seats"),
        default=1,
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Book at least one seat.")),
            NumberRange(max=10000, message=_l("That is more seats than any place has.")),
        ],
    )
    note = TextAreaField(_l("Note for the host"), validators=[Optional(), Length(max=1000)])
    sponsor_organisation_id = IntegerField(_l("Paid by"), validators=[Optional()])
    repeat = FormField(RepeatForm)
    skip_conflicts = BooleanField(_l("Book the dates that fit and skip the others"))

    def is_term(self) -> bool:
        """Whether a term was asked for (a date given, or one that could not be read)."""
        return self.reads_terms and any(
            field.data is not None or (field.raw_data and field.raw_data[0])
            for field in (self.start_date, self.end_date)
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.reads_terms:
            return valid
        required = (
            (
                (self.start_date, _l("Give the first day.")),
                (self.end_date, _l("Give the last day.")),
            )
            if self.is_term()
            else ((self.start, _l("Give the start.")), (self.end, _l("Give the end.")))
        )
        for field, message in required:
            if not field.errors and not field.data:
                field.errors = [*field.errors, message]
                valid = False
        if self.is_term():
            for field in (self.start, self.end):
                if field.data:
                    field.errors = [
                        *field.errors,
                        _l("Give either a start and an end, or a first and a last day."),
                    ]
                    valid = False
        return valid

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
    start_date = DateField(_l("First day"), validators=[Optional()])
    end_date = DateField(_l("Last day"), validators=[Optional()])
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


# --- the booking page ---------------------------------------------------------------------------

# Fields of the page, next to which its messages go (the others go on top of the form).
PAGE_TIME_FIELDS = {"start": "start_time", "end": "end_time"}


class BookingPageForm(BookingForm):
    """The booking page: a date and two times from the browser's own pickers (never a typed ISO
    text). ``window_texts`` joins them into the local date-times ``spaces.inputs.parse_window``
    reads in the space's zone. ``start``/``end`` (ISO) are still read when the page's fields are
    absent: links from search results and older clients send them."""

    reads_terms = False

    start = StringField(_l("Start"), validators=[Optional()])
    end = StringField(_l("End"), validators=[Optional()])
    date = DateField(_l("Date"), validators=[Optional()])
    start_time = TimeField(_l("Start time"), format=["%H:%M", "%H:%M:%S"], validators=[Optional()])
    end_time = TimeField(_l("End time"), format=["%H:%M", "%H:%M:%S"], validators=[Optional()])
    end_date = DateField(_l("Ends on (if another day)"), validators=[Optional()])

    def uses_pickers(self) -> bool:
        """Whether the page's date and time fields are used (rather than ``start``/``end``)."""
        return any(
            field.data is not None or (field.raw_data and field.raw_data[0])
            for field in (self.date, self.start_time, self.end_time)
        )

    def window_texts(self) -> tuple[str, str]:
        """The start and end as local ISO date-times; Invalid names the page's fields."""
        if not self.uses_pickers():
            errors = {}
            if not self.start.data:
                errors["date"] = [_l("Choose the date.")]
            if not self.end.data:
                errors["end_time"] = [_l("Choose the end time.")]
            if errors:
                raise Invalid(fields=errors)
            return self.start.data, self.end.data
        errors = {}
        if self.date.data is None:
            errors["date"] = [_l("Choose the date.")]
        if self.start_time.data is None:
            errors["start_time"] = [_l("Choose the start time.")]
        if self.end_time.data is None:
            errors["end_time"] = [_l("Choose the end time.")]
        if errors:
            raise Invalid(fields=errors)
        last_day = self.end_date.data or self.date.data
        return (
            f"{self.date.data.isoformat()}T{self.start_time.data:%H:%M}",
            f"{last_day.isoformat()}T{self.end_time.data:%H:%M}",
        )

    def fill_from(self, start_text: str | None, end_text: str | None) -> None:
        """Show ``start``/``end`` (local ISO texts from a link) in the date and time pickers."""
        start, end = _local(start_text), _local(end_text)
        if start is not None:
            self.date.data, self.start_time.data = start.date(), start.time()
        if end is not None:
            self.end_time.data = end.time()
            if start is not None and end.date() != start.date():
                self.end_date.data = end.date()


def _local(text: str | None) -> datetime | None:
    """A local ``YYYY-MM-DDTHH:MM`` from a link, or None (the pickers then stay empty)."""
    if not text or len(text) > 40:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is not None or not 2000 <= value.year < 2100:
        return None
    return value


def page_error_fields(error: Invalid) -> Invalid:
    """A service's ``start``/``end`` messages put next to the page's time fields."""
    if not error.fields:
        return error
    fields: dict[str, list] = {}
    for name, messages in error.fields.items():
        fields.setdefault(PAGE_TIME_FIELDS.get(name, name), []).extend(messages)
    error.fields = fields
    return error
