"""The sponsor's check inside the booking transaction: policy, then monthly budgets.

Called by every booking action that writes a sponsored booking (request, term, move) AFTER
``bookings.locking.lock_unit``. ``open_budget`` locks the employer's ``Sponsorship`` row (``SELECT
… FOR UPDATE`` on PostgreSQL; on SQLite ``transaction()``'s ``BEGIN IMMEDIATE`` already serialises
every writer), so two sponsored bookings of one employer — on any units — are decided one after
the other, and the second one's sums include the first. The lock order is always unit, then
sponsorship: no two transactions wait on each other.

What counts: the ``price_amount`` of live bookings the employer sponsors (confirmed, or requested
and not expired), starting in a local calendar month (in the booked space's time zone); per
member (the booker) and for the whole organisation. Cancelled, declined and expired bookings
count nothing, so cancelling frees the budget at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel import dates as babel_dates
from flask import current_app
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.bookings.models import Booking
from spaces.db import utcnow
from spaces.employers.models import Sponsorship
from spaces.errors import Conflict, Invalid
from spaces.extensions import db
from spaces.i18n import current_locale, format_money
from spaces.listings.models import Unit
from spaces.organisations.models import Organisation

MIN_MONTH = "2000-01"
MAX_MONTH = "2100-12"


def parse_month(text: str | None, field_name: str = "month") -> date:
    """``"YYYY-MM"`` → the first day of that month; Invalid (422) outside 2000-01..2100-12."""
    message = _l("Give a month as YYYY-MM, between 2000-01 and 2100-12.")
    if not isinstance(text, str) or len(text) != 7 or text[4] != "-":
        raise Invalid(message, fields={field_name: [message]})
    try:
        year, month = int(text[:4]), int(text[5:])
        first = date(year, month, 1)
    except ValueError:
        raise Invalid(message, fields={field_name: [message]}) from None
    if not MIN_MONTH <= text <= MAX_MONTH:
        raise Invalid(message, fields={field_name: [message]})
    return first


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_key(first: date) -> str:
    return f"{first.year:04d}-{first.month:02d}"


def month_bounds(first: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[local midnight of the 1st, local midnight of the next 1st) as aware instants."""
    start = datetime.combine(first, datetime.min.time()).replace(tzinfo=tz)
    end = datetime.combine(next_month(first), datetime.min.time()).replace(tzinfo=tz)
    return start, end


def month_of(instant: datetime, tz: ZoneInfo) -> date:
    """The first day of the local calendar month ``instant`` falls in."""
    return instant.astimezone(tz).date().replace(day=1)


def month_name(first: date, locale: str | None = None) -> str:
    """``décembre 2026`` / ``December 2026``."""
    return babel_dates.format_date(first, "LLLL y", locale=locale or current_locale())


def default_zone() -> ZoneInfo:
    """The zone in which a month is read when no space says otherwise (pages, the API)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Paris")


def current_month(now: datetime | None = None) -> str:
    """This month, "YYYY-MM", on the default clock."""
    return month_key(month_of(now or utcnow(), default_zone()))


def live_sponsored(organisation_id: int, now: datetime):
    """The condition: live bookings (confirmed, or requested and unexpired) the org pays for."""
    return sa.and_(
        Booking.sponsor_organisation_id == organisation_id,
        sa.or_(
            Booking.status == "confirmed",
            sa.and_(Booking.status == "requested", Booking.expires_at > now),
        ),
    )


def _sum(condition, start: datetime, end: datetime, now: datetime, exclude) -> int:
    query = sa.select(sa.func.coalesce(sa.func.sum(Booking.price_amount), 0)).where(
        condition, Booking.start_at >= start, Booking.start_at < end
    )
    if exclude:
        query = query.where(Booking.id.not_in(sorted(exclude)))
    return int(db.session.scalar(query))


def member_spent(
    organisation_id: int,
    user_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: set[int] | frozenset = frozenset(),
) -> int:
    """The member's live sponsored amounts starting in [start, end) (an index-only read)."""
    condition = sa.and_(live_sponsored(organisation_id, now), Booking.user_id == user_id)
    return _sum(condition, start, end, now, exclude)


def total_spent(
    organisation_id: int,
    start: datetime,
    end: datetime,
    now: datetime,
    exclude: set[int] | frozenset = frozenset(),
) -> int:
    """The whole employer's live sponsored amounts starting in [start, end)."""
    return _sum(live_sponsored(organisation_id, now), start, end, now, exclude)


def lock_sponsorship(organisation_id: int) -> Sponsorship | None:
    """The employer's settings, its row locked for the rest of the transaction (PostgreSQL; on
    SQLite the transaction already holds the write lock). None: no settings, no limit."""
    return db.session.scalar(
        sa.select(Sponsorship)
        .where(Sponsorship.organisation_id == organisation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def policy_refusal(sponsorship: Sponsorship | None, unit: Unit, organisation: Organisation):
    """A Conflict(sponsor_policy) when the space's kind or commune is outside the policy."""
    if sponsorship is None:
        return None
    space = unit.space
    kinds, communes = sponsorship.allowed_kinds, sponsorship.allowed_communes
    if kinds is not None and space.kind not in kinds:
        message = _l(
            "%(employer)s does not pay for this kind of place.", employer=organisation.name
        )
    elif communes is not None and space.insee_code not in communes:
        message = _l(
            "%(employer)s does not pay for places in %(commune)s.",
            employer=organisation.name,
            commune=space.commune,
        )
    else:
        return None
    return Conflict(message, code="sponsor_policy", extra={"reason": "sponsor_policy"})


@dataclass
class Budget:
    """An employer's budgets for one booker, read under the sponsorship lock; ``admit`` adds
    each new amount to its month's sums, so a series sees its own earlier dates."""

    organisation: Organisation
    booker: User
    sponsorship: Sponsorship | None
    tz: ZoneInfo
    now: datetime
    exclude: frozenset = frozenset()
    _sums: dict = field(default_factory=dict)  # month → [member, total]

    @property
    def limited(self) -> bool:
        s = self.sponsorship
        return s is not None and (
            s.monthly_budget_per_member is not None or s.monthly_budget_total is not None
        )

    def _month(self, first: date) -> list[int]:
        """[member, total] spent in the month; a sum with no budget to compare is not read."""
        if first not in self._sums:
            start, end = month_bounds(first, self.tz)
            s, org = self.sponsorship, self.organisation.id
            self._sums[first] = [
                member_spent(org, self.booker.id, start, end, self.now, self.exclude)
                if s.monthly_budget_per_member is not None
                else 0,
                total_spent(org, start, end, self.now, self.exclude)
                if s.monthly_budget_total is not None
                else 0,
            ]
        return self._sums[first]

    def admit(self, start: datetime, amount: int) -> Conflict | None:
        """None, and the amount counted, when a booking starting at ``start`` costing
        ``amount`` fits both budgets of its month; else the Conflict(over_budget) to raise."""
        if not self.limited:
            return None
        first = month_of(start, self.tz)
        sums = self._month(first)
        s = self.sponsorship
        member_left = (
            None if s.monthly_budget_per_member is None else s.monthly_budget_per_member - sums[0]
        )
        total_left = None if s.monthly_budget_total is None else s.monthly_budget_total - sums[1]
        if member_left is not None and amount > member_left:
            message = _l(
                "Over budget: %(remaining)s left of your %(month)s budget from %(employer)s;"
                " this booking costs %(amount)s.",
                remaining=format_money(max(member_left, 0), s.currency),
                month=month_name(first),
                employer=self.organisation.name,
                amount=format_money(amount, s.currency),
            )
            remaining = member_left
        elif total_left is not None and amount > total_left:
            message = _l(
                "Over budget: %(remaining)s left of the %(month)s budget of %(employer)s;"
                " this booking costs %(amount)s.",
                remaining=format_money(max(total_left, 0), s.currency),
                month=month_name(first),
                employer=self.organisation.name,
                amount=format_money(amount, s.currency),
            )
            remaining = total_left
        else:
            sums[0] += amount
            sums[1] += amount
            return None
        return Conflict(
            message,
            code="over_budget",
            extra={
                "reason": "over_budget",
                "month": month_key(first),
                "remaining": max(remaining, 0),
                "currency": s.currency,
            },
        )


def open_budget(
    organisation: Organisation,
    booker: User,
    unit: Unit,
    now: datetime | None = None,
    exclude: set[int] | frozenset = frozenset(),
) -> Budget:
    """Lock the employer's sponsorship (after the unit lock), check its policy for the unit's
    space — raising Conflict(sponsor_policy) — and return the budget to ``admit`` amounts to.
    ``exclude``: bookings not to count (the one being moved)."""
    sponsorship = lock_sponsorship(organisation.id)
    refusal = policy_refusal(sponsorship, unit, organisation)
    if refusal is not None:
        raise refusal
    return Budget(
        organisation,
        booker,
        sponsorship,
        ZoneInfo(unit.space.timezone),
        now or utcnow(),
        frozenset(exclude),
    )


def check(
    organisation: Organisation,
    booker: User,
    unit: Unit,
    start: datetime,
    amount: int,
    now: datetime | None = None,
    exclude: set[int] | frozenset = frozenset(),
) -> None:
    """One sponsored booking: raise Conflict(sponsor_policy | over_budget) unless it fits."""
    refusal = open_budget(organisation, booker, unit, now, exclude).admit(start, amount)
    if refusal is not None:
        raise refusal


def remaining(org: Organisation, user: User, month: str) -> dict:
    """The member's and the organisation's budgets, spent and remaining for ``month``
    ("YYYY-MM", read in the default zone); budgets and remainders are None where no limit."""
    return remaining_of_members(org, [user.id], month)[user.id]


def remaining_of_members(org: Organisation, user_ids: list[int], month: str) -> dict[int, dict]:
    """``remaining`` for each of ``user_ids``, by user id, in three queries whatever their
    number (the members' sums grouped in one, the organisation's, its settings)."""
    first = parse_month(month)
    start, end = month_bounds(first, default_zone())
    now = utcnow()
    spent_by = dict(
        db.session.execute(
            sa.select(Booking.user_id, sa.func.sum(Booking.price_amount))
            .where(
                live_sponsored(org.id, now),
                Booking.user_id.in_(user_ids),
                Booking.start_at >= start,
                Booking.start_at < end,
            )
            .group_by(Booking.user_id)
        ).all()
    )
    total = total_spent(org.id, start, end, now)
    sponsorship = db.session.scalar(
        sa.select(Sponsorship).where(Sponsorship.organisation_id == org.id)
    )
    member_budget = sponsorship.monthly_budget_per_member if sponsorship else None
    total_budget = sponsorship.monthly_budget_total if sponsorship else None
    figures = {}
    for user_id in user_ids:
        member = int(spent_by.get(user_id) or 0)
        figures[user_id] = {
            "month": month_key(first),
            "currency": sponsorship.currency if sponsorship else "EUR",
            "member_budget": member_budget,
            "member_spent": member,
            "member_remaining": None if member_budget is None else max(member_budget - member, 0),
            "total_budget": total_budget,
            "total_spent": total,
            "total_remaining": None if total_budget is None else max(total_budget - total, 0),
        }
    return figures
