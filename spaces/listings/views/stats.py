"""The host's statistics pages: one space's figures by unit and week with its busiest hours,
and an organisation's overview of its spaces — for the members of the space's organisation.

Every figure comes from the observatory: ``services.space_stats`` (the API's answer) for a
space, ``hosts.organisation_overview`` (the same definitions, its units added) for the overview.
The period is the API's (``?from=&to=``, read by ``observatory.forms.parse_period``); without
one, the last three full months of the site's zone.
A wrong period shows the page's form with its error (422), never a 500.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template, request, url_for
from flask_babel import format_date, format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.datastructures import MultiDict

from spaces.accounts.permissions import can_read
from spaces.errors import Invalid, NotFound
from spaces.extensions import db
from spaces.listings import services as listings
from spaces.listings.models import Space
from spaces.listings.views.blueprint import bp
from spaces.observatory import figures as fig
from spaces.observatory.forms import parse_period
from spaces.observatory.hosts import organisation_overview
from spaces.observatory.services import space_stats
from spaces.observatory.usage import CURRENCY
from spaces.organisations.services import get_organisation, role_of
from spaces.web import current_actor as _actor

DEFAULT_MONTHS = 3
MAX_OVERVIEW_SPACES = 200  # listed; their figures come from one pass over all the units


def _today() -> date:
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")
    return datetime.now(zone).date()


def default_period(today: date, months: int = DEFAULT_MONTHS) -> tuple[date, date]:
    """The last ``months`` full months before ``today``'s month (three by default)."""
    last = today.replace(day=1) - timedelta(days=1)
    first = last.replace(day=1)
    for _month in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, last


def _quick_periods(first: date, last: date) -> list[dict]:
    """Links to the last full month, three and twelve full months, the shown one marked."""
    choices = []
    for months, label in (
        (1, _("Last month")),
        (3, _("Last 3 months")),
        (12, _("Last 12 months")),
    ):
        start, end = default_period(_today(), months)
        url = url_for(request.endpoint, **(request.view_args or {}), **{"from": start, "to": end})
        choices.append({"label": label, "url": url, "current": (start, end) == (first, last)})
    return choices


def _period() -> tuple[date, date, dict]:
    """The asked period, or the default one; with the form's errors by field (then the
    default period is shown, so the page still has figures)."""
    today = _today()
    given = {k: (request.args.get(k) or "").strip()[:20] for k in ("from", "to")}
    if not any(given.values()):
        first, last = default_period(today)
        return first, last, {}
    try:
        first, last = parse_period(MultiDict(given), today)
    except Invalid as error:
        first, last = default_period(today)
        return first, last, {k: [str(m) for m in v] for k, v in (error.fields or {}).items()}
    return first, last, {}


def _member_space(space_id: int):
    """The space, for its organisation's members (and administrators); 404 for anyone else."""
    actor = _actor()
    space = listings.get_space(actor, space_id)
    if not (can_read(role_of(actor, space.organisation_id)) or actor.is_admin):
        raise NotFound()
    return space


def _formatters() -> dict:
    return {
        "percent": lambda v: "—" if v is None else format_percent(v),
        "number": lambda v: format_decimal(v or 0, "#,##0.#"),
    }


def _render(template: str, status: int, first: date, last: date, **context):
    period_args = {"from": first.isoformat(), "to": last.isoformat()}
    return render_template(
        template,
        first=first,
        last=last,
        period_args=period_args,
        quick_periods=_quick_periods(first, last),
        **context,
        **_formatters(),
    ), status


MONDAY = date(2024, 1, 1)


def _week_labels(first: date, last: date) -> tuple[list[str], list[str]]:
    """Short (ISO week number) and long labels of the period's Monday-based weeks (those of
    ``space_stats``)."""
    starts = [date.fromisoformat(label) for label, _start, _end in fig.weeks(first, last)]
    return (
        [str(d.isocalendar().week) for d in starts],  # ISO week numbers: short under a bar
        [_("Week of %(day)s", day=format_date(d, "long")) for d in starts],
    )


@bp.get("/spaces/<int:space_id>/stats")
@login_required
def space_statistics(space_id: int):
    """A space's statistics: per unit, occupancy by week (chart and table), bookings,
    cancellations, revenue, seat-hours; the busiest hours of the week; the CSV."""
    space = _member_space(space_id)
    first, last, errors = _period()
    stats = space_stats(space, first, last)
    week_labels, week_long_labels = _week_labels(first, last)
    days = [MONDAY + timedelta(days=n) for n in range(7)]
    return _render(
        "listings/stats.html",
        422 if errors else 200,
        first,
        last,
        space=space,
        stats=stats,
        week_labels=week_labels,
        week_long_labels=week_long_labels,
        weekdays=[format_date(d, "EEE") for d in days],
        long_weekdays=[format_date(d, "EEEE") for d in days],
        hour_labels=[str(h) for h in range(24)],
        csv_url=url_for("api.space_stats_csv", space_id=space.id, **{"from": first, "to": last}),
        errors=errors,
        asked={k: request.args.get(k, "")[:20] for k in ("from", "to")},
    )


@bp.get("/organisations/<int:organisation_id>/stats")
@login_required
def organisation_statistics(organisation_id: int):
    """An organisation's spaces with their occupancy and revenue over the period (members)."""
    organisation = get_organisation(_actor(), organisation_id)  # 404 for non-members
    first, last, errors = _period()
    spaces = list(
        db.session.scalars(
            sa.select(Space)
            .where(Space.organisation_id == organisation.id)
            .order_by(sa.func.lower(Space.name), Space.id)
            .limit(MAX_OVERVIEW_SPACES + 1)
        )
    )
    shown = spaces[:MAX_OVERVIEW_SPACES]
    figures = organisation_overview(organisation.id, first, last)
    empty = {"seat_hours_offered": 0, "seat_hours_booked": 0, "occupancy": None}
    empty |= {"bookings": 0, "cancellations": 0, "revenue": 0}
    rows = [{"space": s, **figures.get(s.id, empty)} for s in shown]
    return _render(
        "listings/organisation_stats.html",
        422 if errors else 200,
        first,
        last,
        organisation=organisation,
        rows=rows,
        more=len(spaces) > len(shown),
        currency=CURRENCY,
        errors=errors,
        asked={k: request.args.get(k, "")[:20] for k in ("from", "to")},
    )
