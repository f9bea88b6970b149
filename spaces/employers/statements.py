"""What an employer owes for a month: the statement, its CSV, the year's spend, a host's dues.

Only confirmed sponsored bookings cost anything (cancelled, declined and expired ones do not); a
booking belongs to the local calendar month, in its own space's time zone, in which it starts.
Pure reads: no lock, no write.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from spaces.accounts.models import User
from spaces.bookings.models import Booking
from spaces.employers.budget import month_key, next_month, parse_month
from spaces.employers.models import Sponsorship
from spaces.errors import Invalid
from spaces.exports import csv_text
from spaces.extensions import db
from spaces.listings.models import Space, Unit
from spaces.organisations.models import Organisation

# Wide enough for any zone's offset: rows are read in [1st − 1 day, next 1st + 1 day) UTC, then
# kept when they start in the month on their own space's clock.
_MARGIN = timedelta(days=1)

CSV_COLUMNS = (
    "booking_id",
    "reference",
    "start",
    "end",
    "member_id",
    "member_name",
    "member_email",
    "space_id",
    "space",
    "commune",
    "unit_id",
    "unit",
    "host_id",
    "host",
    "seats",
    "amount_cents",
    "amount",
    "currency",
)
CSV_DOC = (
    "One row per confirmed sponsored booking starting in the month: booking id and reference,"
    " start and end (ISO 8601, the space's local time with its offset), the member (id, name,"
    " e-mail), the space (id, name, commune), the unit (id, name), the host organisation (id,"
    " name), seats, the amount in cents and in currency units (12.50), the currency."
)
DUES_CSV_COLUMNS = ("employer_id", "employer", *CSV_COLUMNS)


@dataclass
class Statement:
    """An employer's month, as ``GET …/statements/{YYYY-MM}`` gives it (``as_json``); lines'
    ``start``/``end`` are aware datetimes in their space's zone."""

    organisation_id: int
    month: str
    currency: str
    total: int
    lines: list[dict] = field(default_factory=list)
    by_member: list[dict] = field(default_factory=list)
    by_host: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        return {
            "organisation_id": self.organisation_id,
            "month": self.month,
            "currency": self.currency,
            "total": self.total,
            "lines": [line_json(line) for line in self.lines],
            "by_member": self.by_member,
            "by_host": self.by_host,
        }


def line_json(line: dict) -> dict:
    """A line for JSON: times in ISO 8601 with the space's offset."""
    return {**line, "start": line["start"].isoformat(), "end": line["end"].isoformat()}


def _query():
    host = aliased(Organisation)
    return (
        sa.select(
            Booking.id,
            Booking.reference,
            Booking.start_at,
            Booking.end_at,
            Booking.seats,
            Booking.price_amount,
            Booking.sponsor_organisation_id,
            User.id,
            User.name,
            User.email,
            Space.id,
            Space.name,
            Space.commune,
            Space.timezone,
            Unit.id,
            Unit.name,
            host.id,
            host.name,
        )
        .join(User, User.id == Booking.user_id)
        .join(Unit, Unit.id == Booking.unit_id)
        .join(Space, Space.id == Unit.space_id)
        .join(host, host.id == Space.organisation_id)
        .where(Booking.status == "confirmed", Booking.sponsor_organisation_id.is_not(None))
        .order_by(Booking.start_at, Booking.id)
    )


def _lines(condition, first: date, last_exclusive: date) -> list[dict]:
    """Confirmed sponsored bookings matching ``condition`` that start, on their space's clock,
    on a day in [first, last_exclusive); each with its ``sponsor_id``."""
    lo = datetime.combine(first, datetime.min.time()).replace(tzinfo=ZoneInfo("UTC")) - _MARGIN
    hi = (
        datetime.combine(last_exclusive, datetime.min.time()).replace(tzinfo=ZoneInfo("UTC"))
        + _MARGIN
    )
    rows = db.session.execute(
        _query().where(condition, Booking.start_at >= lo, Booking.start_at < hi)
    ).all()
    zones: dict[str, ZoneInfo] = {}
    lines = []
    for row in rows:
        (bid, ref, start, end, seats, amount, sponsor_id) = row[:7]
        (uid, uname, uemail, sid, sname, commune, tzname, unit_id, unit_name, hid, hname) = row[7:]
        tz = zones.get(tzname) or zones.setdefault(tzname, ZoneInfo(tzname))
        local_start = start.astimezone(tz)
        if not first <= local_start.date() < last_exclusive:
            continue
        lines.append(
            {
                "booking_id": bid,
                "reference": ref,
                "member": {"id": uid, "name": uname, "email": uemail},
                "space": {"id": sid, "name": sname, "commune": commune},
                "unit": {"id": unit_id, "name": unit_name},
                "host": {"id": hid, "name": hname},
                "start": local_start,
                "end": end.astimezone(tz),
                "seats": seats,
                "amount": amount,
                "sponsor_id": sponsor_id,
            }
        )
    return lines


def statement(org: Organisation, month: str) -> Statement:
    """The employer's statement for ``month`` ("YYYY-MM"; Invalid outside 2000-01..2100-12):
    lines by start, totals by member (with the per-member budget and what remains of it) and by
    host, by name. Amounts in integer cents."""
    first = parse_month(month)
    lines = _lines(Booking.sponsor_organisation_id == org.id, first, next_month(first))
    for line in lines:
        del line["sponsor_id"]
    sponsorship = db.session.scalar(
        sa.select(Sponsorship).where(Sponsorship.organisation_id == org.id)
    )
    budget = sponsorship.monthly_budget_per_member if sponsorship else None
    members: dict[int, dict] = {}
    hosts: dict[int, dict] = {}
    for line in lines:
        member = members.setdefault(line["member"]["id"], {"member": line["member"], "total": 0})
        member["total"] += line["amount"]
        host = hosts.setdefault(line["host"]["id"], {"organisation": line["host"], "total": 0})
        host["total"] += line["amount"]
    by_member = sorted(
        (
            {
                **m,
                "budget": budget,
                "remaining": None if budget is None else budget - m["total"],
            }
            for m in members.values()
        ),
        key=lambda m: (m["member"]["name"].lower(), m["member"]["id"]),
    )
    by_host = sorted(
        hosts.values(), key=lambda h: (h["organisation"]["name"].lower(), h["organisation"]["id"])
    )
    return Statement(
        organisation_id=org.id,
        month=month_key(first),
        currency=sponsorship.currency if sponsorship else "EUR",
        total=sum(line["amount"] for line in lines),
        lines=lines,
        by_member=by_member,
        by_host=by_host,
    )


def _euros(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _csv_row(line: dict, currency: str) -> list:
    return [
        line["booking_id"],
        line["reference"],
        line["start"].isoformat(),
        line["end"].isoformat(),
        line["member"]["id"],
        line["member"]["name"],
        line["member"]["email"],
        line["space"]["id"],
        line["space"]["name"],
        line["space"]["commune"],
        line["unit"]["id"],
        line["unit"]["name"],
        line["host"]["id"],
        line["host"]["name"],
        line["seats"],
        line["amount"],
        _euros(line["amount"]),
        currency,
    ]


def statement_csv(st: Statement) -> str:
    """The statement's lines as CSV: a header row (``CSV_COLUMNS``, see ``CSV_DOC``), then one
    row per line; cells a spreadsheet would run as formulas are neutralised."""
    return csv_text(CSV_COLUMNS, (_csv_row(line, st.currency) for line in st.lines))


def spend_by_month(org: Organisation, year: int) -> list[tuple[str, int]]:
    """The 12 months of ``year`` ("YYYY-MM", cents of confirmed sponsored bookings), in order."""
    if not 2000 <= year <= 2100:
        message = _l("Give a year between 2000 and 2100.")
        raise Invalid(message, fields={"year": [message]})
    first = date(year, 1, 1)
    totals: dict[str, int] = defaultdict(int)
    for line in _lines(Booking.sponsor_organisation_id == org.id, first, date(year + 1, 1, 1)):
        totals[month_key(line["start"].date().replace(day=1))] += line["amount"]
    return [(f"{year:04d}-{m:02d}", totals[f"{year:04d}-{m:02d}"]) for m in range(1, 13)]


def host_dues(host_org: Organisation, month: str) -> list[dict]:
    """What each employer owes ``host_org`` for bookings of its spaces starting in ``month``:
    ``[{employer: {id, name}, total, lines}]`` by employer name, lines by start."""
    first = parse_month(month)
    condition = Booking.unit_id.in_(
        sa.select(Unit.id)
        .join(Space, Space.id == Unit.space_id)
        .where(Space.organisation_id == host_org.id)
    )
    lines = _lines(condition, first, next_month(first))
    names = dict(
        db.session.execute(
            sa.select(Organisation.id, Organisation.name).where(
                Organisation.id.in_({line["sponsor_id"] for line in lines})
            )
        ).all()
    )
    dues: dict[int, dict] = {}
    for line in lines:
        sponsor_id = line.pop("sponsor_id")
        entry = dues.setdefault(
            sponsor_id,
            {
                "employer": {"id": sponsor_id, "name": names.get(sponsor_id, "")},
                "total": 0,
                "lines": [],
            },
        )
        entry["total"] += line["amount"]
        entry["lines"].append(line)
    return sorted(dues.values(), key=lambda d: (d["employer"]["name"].lower(), d["employer"]["id"]))


def host_dues_csv(dues: list[dict], currency: str = "EUR") -> str:
    """The dues as CSV: ``employer_id, employer`` then the statement's columns, one row per
    booking."""
    rows = (
        [entry["employer"]["id"], entry["employer"]["name"], *_csv_row(line, currency)]
        for entry in dues
        for line in entry["lines"]
    )
    return csv_text(DUES_CSV_COLUMNS, rows)
