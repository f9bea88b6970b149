"""Inputs of opening hours and closures, shared by the host's pages and the API."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, FormField, IntegerField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from spaces.errors import Invalid
from spaces.forms import BaseForm, NumberRange, SubForm, attach_errors
from spaces.inputs import parse_window
from spaces.timeutils import TimeError, parse_hhmm


def validate_hhmm(form, field):
    try:
        parse_hhmm(field.data or "")
    except TimeError as exc:
        raise ValidationError(
            _l("Give a time as HH:MM (e.g. 09:00, or 24:00 for midnight).")
        ) from exc


def weekday_given(form, field):
    # Monday is 0, which DataRequired would refuse; Optional() would let a missing day through.
    if field.data is None:
        message = _l("Give the day (0 = Monday … 6 = Sunday).")
        raise StopValidation(None if field.errors else message)


class WindowForm(SubForm):
    weekday = IntegerField(_l("Day"), validators=[weekday_given, NumberRange(min=0, max=6)])
    start = StringField(_l("Opens"), validators=[DataRequired(), validate_hhmm])
    end = StringField(_l("Closes"), validators=[DataRequired(), validate_hhmm])

    def validate_end(self, field):
        try:
            if parse_hhmm(field.data) <= parse_hhmm(self.start.data):
                raise ValidationError(_l("The closing time must be after the opening time."))
        except TimeError:
            return


class OpeningHoursForm(BaseForm):
    windows = FieldList(FormField(WindowForm), max_entries=7 * 12)


class ClosureForm(BaseForm):
    start = StringField(_l("From"), validators=[DataRequired(message=_l("Give the start."))])
    end = StringField(_l("Until"), validators=[DataRequired(message=_l("Give the end."))])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)])

    def instants(self, tz: ZoneInfo) -> dict[str, datetime]:
        """``start`` and ``end`` as aware UTC (local times in ``tz`` unless they carry an offset).

        A value that cannot be read gets its message on its field, and nothing is returned. The
        order is the closure service's rule (``availability.services.check_closure_times``)."""
        try:
            start, end = parse_window(self.start.data, self.end.data, tz, ordered=False)
        except Invalid as error:
            attach_errors(self, error)
            return {}
        return {"start": start, "end": end}


# The pages' weekly editor: one line of text per weekday ("09:00-12:00, 14:00-18:00").
WeekHoursForm = type(
    "WeekHoursForm",
    (BaseForm,),
    {f"day_{d}": StringField(validators=[Optional(), Length(max=300)]) for d in range(7)},
)
