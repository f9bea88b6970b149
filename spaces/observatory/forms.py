"""The observatory's inputs, read by the API (and the pages to come): a period and a territory."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, FieldList, FloatField, StringField
from wtforms.validators import Length, Optional

from spaces.errors import Invalid
from spaces.forms import SubForm
from spaces.listings.search_input import Between

MAX_PERIOD_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)  # dates any zone and the engine handle
MAX_COMMUNES = 500  # a territory: an intercommunality has at most a few hundred communes
MAX_NEAR_KM = 50.0
DEFAULT_PERIOD_DAYS = 30


class PeriodForm(SubForm):
    """``from`` and ``to``, local dates, both included (``from`` is a Python keyword: the
    fields are ``first`` and ``last``, read from ``from`` and ``to``)."""

    first = DateField(validators=[Optional()], format="%Y-%m-%d")
    last = DateField(validators=[Optional()], format="%Y-%m-%d")


def parse_period(args: MultiDict, today: date) -> tuple[date, date]:
    """The period of ``?from=&to=`` (default: the 30 days up to ``today``); raises Invalid (422)
    for an unreadable date, ``to`` before ``from`` or more than 366 days."""
    form = PeriodForm(MultiDict({"first": args.get("from", ""), "last": args.get("to", "")}))
    if not form.validate():
        errors = {}
        for name, key in (("first", "from"), ("last", "to")):
            if form[name].errors:
                errors[key] = [_l("Give a date as YYYY-MM-DD.")]
        raise Invalid(fields=errors)
    for key, value in (("from", form.first.data), ("to", form.last.data)):
        if value is not None and not EARLIEST <= value <= LATEST:
            raise Invalid(fields={key: [_l("Give a date between 2000 and 2100.")]})
    last = form.last.data or (
        form.first.data + timedelta(days=DEFAULT_PERIOD_DAYS - 1) if form.first.data else today
    )
    first = form.first.data or last - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if last < first:
        raise Invalid(fields={"to": [_l("The end of the period is before its start.")]})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise Invalid(
            fields={"to": [_l("A period covers at most %(days)s days.", days=MAX_PERIOD_DAYS)]}
        )
    return first, last


class TerritoryForm(SubForm):
    """A territory: INSEE codes, or every commune within ``radius_km`` of a place (``near``)."""

    communes = FieldList(StringField(validators=[Length(max=5)]), max_entries=MAX_COMMUNES)
    near = StringField(validators=[Optional(), Length(max=200)])
    radius_km = FloatField(validators=[Optional(), Between(0, MAX_NEAR_KM)])  # NaN refused


class HomeForm(SubForm):
    """A person's home commune: an INSEE code, or empty to remove it."""

    home_commune = StringField(validators=[Optional(), Length(max=5)])
