"""The calendar inputs, one definition for the pages and the API: a feed request
(``CalendarTokenForm``), an iCal address to import (``CalendarLinkForm``), an uploaded .ics file,
and how often a host may sync an import by hand."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import URL, DataRequired, InputRequired, Length, Optional, StopValidation

from spaces.forms import BaseForm, choices

SYNC_LIMIT = "20/minute"


def http_only(form, field) -> None:
    scheme = (field.data or "").strip().split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise StopValidation(
            _l(
                "Only http:// and https:// addresses can be imported (for webcal://, "
                "write https:// instead)."
            )
        )


class CalendarLinkForm(BaseForm):
    """A calendar address (pages and API)."""

    url = StringField(
        _l("Calendar address (iCal)"),
        validators=[
            DataRequired(),
            Length(max=2000),
            http_only,
            URL(require_tld=False, message=_l("This is not a valid web address.")),
        ],
    )
    name = StringField(_l("Name (for you)"), validators=[Optional(), Length(max=200)])


class CalendarFileForm(BaseForm):
    """An uploaded .ics file."""

    file = FileField(_l("iCalendar file (.ics)"), validators=[FileRequired(_l("Choose a file."))])
    name = StringField(_l("Name (for you)"), validators=[Optional(), Length(max=200)])


class CalendarTokenForm(BaseForm):
    """A new feed address: ``scope`` me|unit|space and, for a unit or space, its ``id``."""

    scope = SelectField(
        _l("Feed"),
        choices=choices(
            [
                ("me", _l("My bookings")),
                ("unit", _l("A unit's bookings")),
                ("space", _l("A space's bookings")),
            ]
        ),
        validators=[InputRequired(message=_l("Choose me, unit or space."))],
    )
    id = IntegerField(_l("Unit or space"), validators=[Optional()])
