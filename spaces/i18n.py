"""Languages: French first, English too; chosen from the account, a cookie or the browser.

Catalogues live as ``.po`` files in ``spaces/translations``; they are compiled to ``.mo`` in the
instance folder when the app starts (and whenever a ``.po`` is newer), so no generated file is
kept in the repository.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, has_request_context, request
from flask_babel import format_currency, get_locale
from flask_login import current_user

LANGUAGE_COOKIE = "lang"
SOURCE_DIR = os.path.join(os.path.dirname(__file__), "translations")


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def format_money(cents: int | None, currency: str = "EUR") -> str:
    """``1250`` → ``12,50 €`` in French, ``€12.50`` in English; free is said in words elsewhere."""
    if cents is None:
        return ""
    return format_currency(Decimal(cents) / 100, currency)


def localtime(value: datetime | None, tz: str) -> datetime | None:
    """An aware instant seen in a place's time zone (for display)."""
    return value.astimezone(ZoneInfo(tz)) if value is not None else None


def format_local(value: datetime | None, fmt: str = "medium") -> str:
    """Format a datetime in its own zone (not the viewer's), in the current language."""
    if value is None:
        return ""
    return babel_dates.format_datetime(value, fmt, tzinfo=value.tzinfo, locale=current_locale())


def format_span(start: datetime, end: datetime, timezone: str, locale: str | None = None) -> str:
    """``lundi 1 mars 2027, 09:00 – 13:00`` on the space's wall clock (the end's date is added
    when it falls on another day), in ``locale`` (default: the current one). Aware instants are
    converted exactly once, from UTC to ``timezone``; never pass a naive value (Babel would
    convert it again)."""
    tz, locale = ZoneInfo(timezone), locale or current_locale()
    first = babel_dates.format_datetime(start, "EEEE d MMMM y, HH:mm", tzinfo=tz, locale=locale)
    same_day = start.astimezone(tz).date() == end.astimezone(tz).date()
    last = babel_dates.format_datetime(
        end, "HH:mm" if same_day else "EEEE d MMMM y, HH:mm", tzinfo=tz, locale=locale
    )
    return f"{first} – {last}"


def format_date_range(first: date, last: date, locale: str | None = None) -> str:
    """``du 1 au 31 décembre 2026`` / ``from 1 to 31 December 2026`` (both days inclusive;
    the month and year are said once when shared); ``le 1 décembre 2026`` for one day."""
    from flask_babel import gettext as _

    locale = locale or current_locale()
    full = babel_dates.format_date(last, "d MMMM y", locale=locale)
    if first == last:
        return _("on %(day)s", day=full)
    if (first.year, first.month) == (last.year, last.month):
        pattern = "d"
    elif first.year == last.year:
        pattern = "d MMMM"
    else:
        pattern = "d MMMM y"
    start = babel_dates.format_date(first, pattern, locale=locale)
    return _("from %(start)s to %(end)s", start=start, end=full)


def format_duration(minutes: int | None) -> str:
    """``7 jours``, ``2 heures``, ``1 h 30``, ``45 minutes``: a duration people read at once."""
    from flask_babel import gettext as _
    from flask_babel import ngettext

    if not minutes:
        return ""
    if minutes % 1440 == 0:
        return ngettext("%(num)d day", "%(num)d days", minutes // 1440)
    if minutes % 60 == 0:
        return ngettext("%(num)d hour", "%(num)d hours", minutes // 60)
    if minutes > 60:
        return _("%(hours)d h %(minutes)02d", hours=minutes // 60, minutes=minutes % 60)
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)


def format_day(value: date) -> str:
    """``lun. 1 mars`` / ``Mon, Mar 1``: a short day label."""
    return babel_dates.format_date(value, "EEE d MMM", locale=current_locale())


def date_from_iso(value: str) -> str:
    """``2027-03-29`` → ``29 mars 2027`` in the current language."""
    return babel_dates.format_date(date.fromisoformat(value), "medium", locale=current_locale())


def time_error_message(error) -> str:
    """A TimeError in the reader's language."""
    from flask_babel import gettext as _

    params = getattr(error, "params", {})
    value, zone_name = params.get("value", ""), params.get("zone", "")
    messages = {
        "empty": lambda: _("Give a date and time, e.g. 2027-03-29T09:00."),
        "bare_date": lambda: _("Give a time as well as the date, e.g. 2027-03-29T09:00."),
        "malformed": lambda: _(
            "“%(value)s” is not a date and time (e.g. 2027-03-29T09:00).", value=value
        ),
        "nonexistent": lambda: _(
            "%(value)s does not exist in %(zone)s: the clocks go forward then.",
            value=value,
            zone=zone_name,
        ),
        "end_before_start": lambda: _("The end must be after the start."),
        "hhmm": lambda: _("“%(value)s” is not a time of day (HH:MM).", value=value),
        "unknown_zone": lambda: _("Unknown time zone (e.g. Europe/Paris)."),
        "out_of_range": lambda: _(
            "“%(value)s” is outside the years %(low)s–%(high)s.",
            value=value,
            low=params.get("low"),
            high=params.get("high"),
        ),
    }
    make = messages.get(getattr(error, "code", ""))
    return make() if make else str(error)


def compile_catalogues(target_dir: str) -> None:
    """Compile every ``.po`` under SOURCE_DIR into ``target_dir`` when missing or stale."""
    for lang in os.listdir(SOURCE_DIR):
        po_path = os.path.join(SOURCE_DIR, lang, "LC_MESSAGES", "messages.po")
        if not os.path.isfile(po_path):
            continue
        out_dir = os.path.join(target_dir, lang, "LC_MESSAGES")
        mo_path = os.path.join(out_dir, "messages.mo")
        if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
            continue
        os.makedirs(out_dir, exist_ok=True)
        with open(po_path, "rb") as handle:
            catalog = read_po(handle, locale=lang)
        # Several processes may start together: write aside, then rename atomically.
        fd, tmp = tempfile.mkstemp(dir=out_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            write_mo(handle, catalog)
        os.replace(tmp, mo_path)


def init_app(app: Flask) -> str:
    """Compile catalogues into the instance folder; returns the directory Babel should read."""
    target = os.path.join(app.instance_path, "translations")
    compile_catalogues(target)
    app.jinja_env.filters["money"] = format_money
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["local_format"] = format_local
    app.jinja_env.filters["date_from_iso"] = date_from_iso
    app.jinja_env.filters["format_day"] = format_day
    app.jinja_env.filters["duration"] = format_duration
    return target
