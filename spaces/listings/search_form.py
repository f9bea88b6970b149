"""The search page's form and the API's query string: one mapping each way (pure, no request).

The page asks for a date, a period ("morning", "afternoon", "day", set times or several days),
times, and a maximum price in euros. The API (shared/API.md, read by
``search_input.parse_search_args``) takes ``start``/``end`` as wall-clock ISO times *without* an
offset, which each space reads in its own zone (as a booking there would), and ``max_price`` in
cents. ``api_args`` turns what the form sent into the API's query string, which the page then
parses exactly as the API does; ``form_values`` fills the form back from such a query string, so
a link with ``start``/``end`` (paging, a shared link) shows the same search in the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from spaces.forms import typed_euros

# What "Journée", "Matin" and "Après-midi" book (the booking page's quick choices).
PRESETS = {
    "day": ("09:00", "17:00"),
    "morning": ("09:00", "13:00"),
    "afternoon": ("13:00", "17:00"),
}
# "term": whole days from the date to the last day (``start_date``/``end_date``, a term booking).
PERIODS = ("day", "morning", "afternoon", "hours", "days", "term")
FORM_FIELDS = ("date", "period", "from", "to", "until", "max_eur")
# Never part of a search's own query string (a page number, the live list's partial view).
TRANSIENT = ("page", "partial")
MAX_EUROS = Decimal(10_000_000)  # the API's 10**9 cents
_TIME = re.compile(r"^([01]?\d|2[0-3])[:h]([0-5]\d)$")
_FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass(frozen=True)
class FormValues:
    """What the form shows: strings as the inputs take them ("" when empty)."""

    date: str = ""
    period: str = "day"
    start_time: str = PRESETS["day"][0]
    end_time: str = PRESETS["day"][1]
    until: str = ""
    max_eur: str = ""


def _date(text: str) -> date | None:
    text = text.strip()[:20]
    french = _FRENCH_DATE.match(text)  # typed by hand where a browser has no date picker
    try:
        if french:
            return date(int(french[3]), int(french[2]), int(french[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None


def _time(text: str) -> str | None:
    match = _TIME.match(text.strip()[:10])
    return f"{int(match[1]):02d}:{match[2]}" if match else None


def euros_to_cents(text: str) -> int | None:
    """ "22", "22,50", "22.5 €" → cents; None when it is not an amount from 0 to 10 million."""
    euros = typed_euros(text)
    if euros is None or not euros.is_finite() or euros < 0 or euros > MAX_EUROS:
        return None
    return int((euros * 100).to_integral_value())


def cents_to_euros(cents: int | str | None) -> str:
    try:
        value = int(cents)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""
    euros, rest = divmod(value, 100)
    return f"{euros}" if not rest else f"{euros}.{rest:02d}"


def api_args(args: MultiDict) -> tuple[MultiDict, dict[str, list]]:
    """The API's query string for what the page sent, and errors on the form's own fields.

    The form's fields (``date``… ``max_eur``) win over ``start``/``end``/``max_price`` when the
    form sent them: a ``date`` key, even empty, means the form was submitted (an empty date means
    "any time"). Empty values are dropped, so links carry only what the search uses."""
    errors: dict[str, list] = {}
    out = MultiDict(
        (key, value)
        for key, value in args.items(multi=True)
        if key not in FORM_FIELDS and key not in TRANSIENT and value.strip() != ""
    )
    if "date" in args:
        for key in ("start", "end", "start_date", "end_date"):
            out.poplist(key)
        if args.get("period") == "term":
            days = _term(args, errors)
            if days:
                out["start_date"], out["end_date"] = days
        else:
            window = _window(args, errors)
            if window:
                out["start"], out["end"] = window
    if "max_eur" in args:
        out.poplist("max_price")
        text = args.get("max_eur", "")
        if text.strip():
            cents = euros_to_cents(text)
            if cents is None:
                errors["max_eur"] = [_l("Give an amount in euros, e.g. 25 or 12.50.")]
            else:
                out["max_price"] = str(cents)
    return out, errors


def _term(args: MultiDict, errors: dict) -> tuple[str, str] | None:
    """(start_date, end_date) of a term, from the date and the last day (both included)."""
    text = args.get("date", "")
    if not text.strip():
        return None  # any time
    first, last = _date(text), _date(args.get("until", ""))
    if first is None:
        errors["date"] = [_l("Pick a date (for example 2027-03-01).")]
    if last is None:
        errors["until"] = [_l("Pick the last day.")]
    if first is None or last is None:
        return None
    if last < first:
        errors["until"] = [_l("The end date must not be before the start date.")]
        return None
    return first.isoformat(), last.isoformat()


def _window(args: MultiDict, errors: dict) -> tuple[str, str] | None:
    """(start, end) as local ISO times without offset, from the date, period and times."""
    text = args.get("date", "")
    if not text.strip():
        return None  # any time: times without a date are ignored
    day = _date(text)
    if day is None:
        errors["date"] = [_l("Pick a date (for example 2027-03-01).")]
        return None
    period = args.get("period") or "day"
    if period not in PERIODS:
        errors["period"] = [_l("Not a valid choice.")]
        return None
    if period in PRESETS:
        start_time, end_time = PRESETS[period]
    else:
        start_time = _time(args.get("from") or PRESETS["day"][0])
        end_time = _time(args.get("to") or PRESETS["day"][1])
        if start_time is None:
            errors["from"] = [_l("Give a time such as 09:00.")]
        if end_time is None:
            errors["to"] = [_l("Give a time such as 17:00.")]
        if start_time is None or end_time is None:
            return None
    last = day
    if period == "days":
        until = _date(args.get("until", ""))
        if until is None:
            errors["until"] = [_l("Pick the last day.")]
            return None
        if until <= day:
            errors["until"] = [_l("The last day comes after the first one.")]
            return None
        last = until
    elif end_time <= start_time:
        errors["to"] = [_l("The end comes after the start.")]
        return None
    return f"{day.isoformat()}T{start_time}", f"{last.isoformat()}T{end_time}"


def instant(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip()[:40]) if text else None
    except ValueError:
        return None


def form_values(args: MultiDict) -> FormValues:
    """The form's values for an API query string (``start``/``end``, ``max_price``)."""
    max_eur = cents_to_euros(args.get("max_price"))
    first, last = _date(args.get("start_date", "")), _date(args.get("end_date", ""))
    if first is not None and last is not None:
        day, until = first.isoformat(), last.isoformat()
        return FormValues(day, "term", *PRESETS["day"], until, max_eur)
    start, end = instant(args.get("start")), instant(args.get("end"))
    if start is None or end is None:
        return FormValues(max_eur=max_eur)
    first, last = start.date(), end.date()
    start_time, end_time = start.strftime("%H:%M"), end.strftime("%H:%M")
    if first != last:
        return FormValues(
            first.isoformat(), "days", start_time, end_time, last.isoformat(), max_eur
        )
    period = next((name for name, span in PRESETS.items() if span == (start_time, end_time)), "")
    return FormValues(first.isoformat(), period or "hours", start_time, end_time, "", max_eur)


def typed_values(args: MultiDict) -> FormValues:
    """The form's values as the person typed them (shown again with the errors, if any)."""

    def text(name: str, default: str = "") -> str:
        return (args.get(name) or default).strip()[:40]

    period = text("period", "day")
    return FormValues(
        text("date"),
        period if period in PERIODS else "day",
        text("from", PRESETS["day"][0]),
        text("to", PRESETS["day"][1]),
        text("until"),
        text("max_eur"),
    )


def without(args: MultiDict, *names: str, **values: str) -> MultiDict:
    """A copy of a query string without some keys and with others set (links of the page)."""
    out = MultiDict((k, v) for k, v in args.items(multi=True) if k not in names and k not in values)
    for key, value in values.items():
        out[key] = value
    return out
