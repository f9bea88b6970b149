"""The Touraine demo data: accounts, organisations, and their published places with units, opening
hours, closures and photos, and bookings on top. The data itself is in ``spaces.demo_data``; the
photos are drawn by ``spaces.demo_pictures``.

Idempotent: each object is looked up by a natural key before it is created (an account by e-mail,
an organisation by name, a place by organisation and name, a unit by place and name, a closure by
place and reason); hours and photos are only added to a place that has none. Demo accounts share
one public password, printed by the command; they are for trying the site, never for production.

``load()`` runs the parts in order on one ``Demo`` context; a new part (bookings) is a function
``load_<part>(demo)`` that reads what the earlier parts put in the context.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from spaces import demo_data
from spaces.accounts import services as accounts
from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.availability import services as availability
from spaces.availability.hours import Window
from spaces.availability.models import Closure
from spaces.bookings import cancelling, requesting, terms
from spaces.bookings.models import Booking
from spaces.calls import applications as call_applications
from spaces.calls import services as calls
from spaces.calls.models import Call
from spaces.db import discard_after_commit
from spaces.demo_pictures import picture
from spaces.errors import DomainError
from spaces.extensions import db
from spaces.geo.geocoding import resolve_place
from spaces.geo.nearby import communes_within
from spaces.listings import services as listings
from spaces.listings.models import Space, Unit
from spaces.listings.photos import add_photo
from spaces.observatory import territory
from spaces.observatory.models import SearchLog
from spaces.organisations import services as organisations
from spaces.organisations.models import Membership, Organisation

DEMO_PASSWORD = "touraine-demo-2027"  # public demo password, shown in the README

# Space fields taken as they are from the data (the others are computed).
COPIED_FIELDS = (
    "name", "kind", "description", "address", "services", "accessibility", "house_rules",
    "contact_email", "contact_phone", "capacity_cap_percent", "closed_on_public_holidays",
)  # fmt: skip
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
METRES_PER_DEGREE = 111_320.0  # of latitude; of longitude times cos(latitude)


@dataclass
class Demo:
    """What the parts of the load share: today, the objects by natural key, and counts."""

    today: date
    users: dict[str, User] = field(default_factory=dict)
    organisations: dict[str, Organisation] = field(default_factory=dict)
    owners: dict[str, User] = field(default_factory=dict)  # organisation name -> its demo owner
    spaces: dict[str, Space] = field(default_factory=dict)  # by name
    units: dict[tuple[str, str], Unit] = field(default_factory=dict)  # (space, unit name)
    created: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the summary says besides counts


def load(today: date | None = None) -> str:
    """Create what is missing of the demo data; returns a one-line summary."""
    demo = Demo(today=today or date.today())
    load_accounts(demo)
    load_organisations(demo)
    load_spaces(demo)
    load_bookings(demo)
    load_calls(demo)
    load_employer(demo)
    load_observatory(demo)
    db.session.flush()
    return summary(demo)


BOOKERS = (
    "camille.martin@example.org",
    "hugo.bernard@example.org",
    "lucie.moreau@example.org",
    "karim.haddad@example.org",
    "sophie.laurent@example.org",
    "yann.legoff@example.org",
)
SLOTS = (("09:00", "13:00"), ("13:00", "17:00"), ("09:00", "17:00"))
BOOKING_DAYS = 21


def load_bookings(demo: Demo) -> None:
    """Bookings over the coming three weeks, so the demo shows partly booked places: desk pools
    about half full, Camille's "every Tuesday and Thursday" series, and a request waiting for a
    host. A unit that already has bookings is left alone; no e-mail is sent."""
    people = [demo.users[email] for email in BOOKERS if email in demo.users]
    now = datetime.now(UTC)

    def book(user, unit, day, slot, **extra):
        tz = ZoneInfo(unit.space.timezone)
        start = datetime.combine(day, datetime.strptime(slot[0], "%H:%M").time(), tz)
        end = datetime.combine(day, datetime.strptime(slot[1], "%H:%M").time(), tz)
        try:
            result = requesting.request_booking(user, unit.id, start, end, 1, now=now, **extra)
        except DomainError:  # closed that day, full, notice… the demo just skips it
            return
        demo.created["bookings"] += len(result.bookings)

    # Places away from the towns are booked over fewer days (and the demo loads faster).
    booked_days = {spec["name"]: spec.get("booked_days", BOOKING_DAYS) for spec in demo_data.SPACES}
    for (space_name, unit_name), unit in sorted(demo.units.items()):
        if db.session.scalar(sa.select(Booking.id).where(Booking.unit_id == unit.id).limit(1)):
            continue
        rng = random.Random(f"{space_name}/{unit_name}")  # the same demo every time
        if unit.kind == "desk_pool":
            for offset in range(1, booked_days.get(space_name, BOOKING_DAYS) + 1):
                day = demo.today + timedelta(days=offset)
                for user in rng.sample(
                    people, k=min(len(people), rng.randint(0, unit.effective_capacity // 2 + 1))
                ):
                    book(user, unit, day, rng.choice(SLOTS))
        elif unit.booking_mode == "request" and unit.kind == "meeting_room" and people:
            day = demo.today + timedelta(days=rng.randint(3, 10))
            book(rng.choice(people), unit, day, ("14:00", "16:00"), note="Réunion d'équipe")
    camille = demo.users.get("camille.martin@example.org")
    cantine = next(
        (
            u
            for (name, _), u in sorted(demo.units.items())
            if name == "La Cantine — Tours Gare" and u.kind == "desk_pool"
        ),
        None,
    )
    if (
        camille is not None
        and cantine is not None
        and not db.session.scalar(
            sa.select(Booking.id)
            .where(Booking.user_id == camille.id, Booking.series_id.is_not(None))
            .limit(1)
        )
    ):
        first = demo.today + timedelta(days=1)
        while first.weekday() != 1:
            first += timedelta(days=1)
        book(
            camille,
            cantine,
            first,
            ("09:00", "17:00"),
            repeat={"weekdays": [1, 3], "until": first + timedelta(weeks=6)},
            skip_conflicts=True,
        )
    _load_term(demo, camille, cantine, now)
    discard_after_commit(db.session)


def _load_term(demo: Demo, user: User | None, unit: Unit | None, now: datetime) -> None:
    """Camille rents a desk at La Cantine by the month, after her weekly series: a confirmed
    term of 30 days from the first day of a month."""
    if user is None or unit is None or unit.price_month is None:
        return
    if db.session.scalar(
        sa.select(Booking.id).where(Booking.user_id == user.id, Booking.kind == "term").limit(1)
    ):
        return
    later = demo.today + timedelta(days=50)
    first = date(later.year + (later.month == 12), later.month % 12 + 1, 1)
    try:
        result = terms.request_term(user, unit.id, first, first + timedelta(days=29), now=now)
    except DomainError:
        return
    demo.created["bookings"] += len(result.bookings)


def load_calls(demo: Demo) -> None:
    """The open calls for temporary occupation and their applications (``demo_data.CALLS``).
    A call already there (same unit and title) is left alone; no e-mail is sent."""
    for spec in demo_data.CALLS:
        unit = demo.units.get((spec["space"], spec["unit"]))
        if unit is None:
            continue
        exists = db.session.scalar(
            sa.select(Call.id).where(Call.unit_id == unit.id, Call.title == spec["title"])
        )
        if exists:
            continue
        owner = demo.owners[unit.space.organisation.name]
        rule, local_time = spec["apply_until"]
        values = {
            "title": spec["title"],
            "description": spec["description"],
            "criteria": spec["criteria"],
            "visit_info": spec["visit_info"],
            "occupation_from": relative_date(spec["occupation_from"], demo.today),
            "occupation_until": relative_date(spec["occupation_until"], demo.today),
            "apply_until": f"{relative_date(rule, demo.today).isoformat()}T{local_time}",
        }
        call = calls.create_call(owner, unit, values)
        calls.publish_call(owner, call)
        demo.created["calls"] += 1
        for application in spec["applications"]:
            person = demo.users[application["applicant"]]
            call_applications.apply(
                person,
                call.id,
                {
                    "project": application["project"],
                    "planned_use": application["planned_use"],
                    "start_date": relative_date(
                        application.get("start", spec["occupation_from"]), demo.today
                    ),
                    "end_date": relative_date(
                        application.get("end", spec["occupation_until"]), demo.today
                    ),
                    "seats": 1,
                    "organisation_name": application["organisation_name"],
                    "contact_phone": application["contact_phone"],
                },
            )
            demo.created["applications"] += 1
    discard_after_commit(db.session)


# --- the employer ----------------------------------------------------------------------------

DAY_SLOT = ("09:00", "17:00")


def load_employer(demo: Demo) -> None:
    """Touraine Logistique (``demo_data.EMPLOYER``): its staff as members (no e-mail: the demo
    adds them as an operator would), its budgets and rules, and desk days paid by it last month
    and this month, booked through ``requesting.request_booking`` so the budget check applies
    (past days are booked with the clock set to the day before). Then one more day for Samir,
    which the check refuses for budget: a refusal leaves no row, so the summary says it and the
    README's demo tour shows how to see it again. Left alone once the employer has any sponsored
    booking."""
    from spaces.employers.models import Sponsorship
    from spaces.employers.services import get_sponsorship

    organisation = demo.organisations.get(demo_data.EMPLOYER)
    if organisation is None:
        return
    members = {m.user_id for m in organisation.memberships}
    for email, role, _desk, _now, _last in demo_data.EMPLOYER_STAFF:
        user = demo.users[email]
        if user.id not in members:
            db.session.add(Membership(organisation=organisation, user=user, role=role))
            demo.created["memberships"] += 1
    if get_sponsorship(organisation) is None:
        rules = dict(demo_data.SPONSORSHIP)
        rules["allowed_communes"] = [
            resolve_place(query).insee for query in rules["allowed_communes"]
        ]
        db.session.add(Sponsorship(organisation_id=organisation.id, currency="EUR", **rules))
        demo.created["sponsorships"] += 1
    db.session.flush()
    if db.session.scalar(
        sa.select(Booking.id).where(Booking.sponsor_organisation_id == organisation.id).limit(1)
    ):
        return
    this_month = demo.today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    for email, _role, desk, days_now, days_last in demo_data.EMPLOYER_STAFF:
        unit = demo.units.get(desk)
        if unit is None:
            continue
        user = demo.users[email]
        _sponsored_days(
            demo, user, unit, organisation, working_days(last_month, demo.today), days_last
        )
        left = _sponsored_days(
            demo, user, unit, organisation, working_days(this_month, demo.today), days_now
        )
        if email == demo_data.REFUSED_FOR_BUDGET:
            refusal = _sponsored_days(demo, user, unit, organisation, left, 1)
            if isinstance(refusal, str):
                demo.notes.append(f"Refused for budget: {user.name}, {refusal}")
    discard_after_commit(db.session)


def working_days(month: date, today: date) -> list[date]:
    """Monday to Friday of ``month``: the coming ones first (so the demo shows some ahead), then
    the past ones, nearest first."""
    days = [
        month + timedelta(days=n)
        for n in range(31)
        if (month + timedelta(days=n)).month == month.month
        and (month + timedelta(days=n)).weekday() < 5
    ]
    return [d for d in days if d > today] + [d for d in reversed(days) if d <= today]


def _sponsored_days(
    demo: Demo, user: User, unit: Unit, organisation, days: list[date], count: int
) -> list[date] | str:
    """Book ``count`` whole days paid by the employer, the first of ``days`` the place is open
    (past days with the clock set to the day before). Returns the days not tried, or the message
    of an over-budget refusal (the walk stops there)."""
    zone = ZoneInfo(unit.space.timezone)
    booked = 0
    days = list(days)
    while booked < count and days:
        day = days.pop(0)
        start = datetime.combine(day, datetime.strptime(DAY_SLOT[0], "%H:%M").time(), zone)
        end = datetime.combine(day, datetime.strptime(DAY_SLOT[1], "%H:%M").time(), zone)
        try:
            result = requesting.request_booking(
                user,
                unit.id,
                start,
                end,
                1,
                sponsor_organisation_id=organisation.id,
                now=min(datetime.now(UTC), (start - timedelta(days=1)).astimezone(UTC)),
            )
        except DomainError as error:
            if error.code == "over_budget":
                return f"{day.isoformat()}: {error.message}"
        else:
            booked += 1
            demo.created["bookings"] += len(result.bookings)
    return days


# --- the territory observatory ------------------------------------------------------------------


def load_observatory(demo: Demo) -> None:
    """What the observatory and the host statistics show: Ville de Loches' territory (Loches and
    its neighbours), teleworkers' home communes, past bookings (and a few cancellations) since
    the first day of the month three months ago, and the anonymous searches of those months.
    Each part is left alone once it exists (a territory, a home commune, a past booking of the
    demo's teleworkers, a search log row older than a week); no e-mail is sent."""
    town = demo.organisations.get(demo_data.OBSERVATORY_TOWN)
    if town is not None and not territory.territory_codes(town):
        place, radius = demo_data.TERRITORY_AROUND
        center = resolve_place(place)
        codes = [c.insee for c in communes_within(center.latitude, center.longitude, radius)]
        demo.created["territory communes"] += len(territory.set_territory(town, codes))
    for email, place in demo_data.HOME_COMMUNES:
        user = demo.users.get(email)
        if user is not None and user.home_commune is None:
            territory.set_home_commune(user, resolve_place(place).insee)
            demo.created["home communes"] += 1
    first = demo.today.replace(day=1)
    for _month in range(3):  # the first day of the month three months ago
        first = (first - timedelta(days=1)).replace(day=1)
    _past_bookings(demo, first)
    _searches(demo, first)
    discard_after_commit(db.session)


def _share(start: float, end: float, day: date, first: date, last: date) -> float:
    """From ``start`` on ``first`` to ``end`` on ``last``, linearly."""
    span = max(1, (last - first).days)
    return start + (end - start) * (day - first).days / span


def _past_bookings(demo: Demo, first: date) -> None:
    """Weekday desk bookings and weekly meetings from ``first`` to yesterday, booked through
    ``requesting.request_booking`` with the clock set to the day before (as the employer's past
    days are), so every rule applies; one in ``PAST_CANCELLED_ONE_IN`` cancelled by its booker
    the day before. Left alone once a demo teleworker has a booking before today."""
    people = {email for _, _, emails, *_ in demo_data.PAST_DESKS for email in emails}
    ids = [demo.users[e].id for e in people if e in demo.users]
    today_start = datetime.combine(demo.today, datetime.min.time(), ZoneInfo("Europe/Paris"))
    if not ids or db.session.scalar(
        sa.select(Booking.id).where(Booking.user_id.in_(ids), Booking.start_at < today_start)
    ):
        return
    last = demo.today - timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    busy: set[tuple[str, date]] = set()  # one place a day per person
    cancel_rng = random.Random("cancellations")

    def book(email: str, unit: Unit, day: date, slot: tuple[str, str], seats: int = 1) -> None:
        zone = ZoneInfo(unit.space.timezone)
        start = datetime.combine(day, datetime.strptime(slot[0], "%H:%M").time(), zone)
        end = datetime.combine(day, datetime.strptime(slot[1], "%H:%M").time(), zone)
        the_day_before = (start - timedelta(days=1)).astimezone(UTC)
        user = demo.users[email]
        try:
            result = requesting.request_booking(
                user, unit.id, start, end, seats, now=the_day_before
            )
        except DomainError:  # closed, full, a holiday: the demo skips it
            return
        busy.add((email, day))
        demo.created["past bookings"] += len(result.bookings)
        if unit.kind == "desk_pool" and cancel_rng.randrange(demo_data.PAST_CANCELLED_ONE_IN) == 0:
            cancelling.cancel_booking(user, result.first, now=the_day_before)
            demo.created["past cancellations"] += 1

    for space_name, unit_name, emails, start, end in demo_data.PAST_DESKS:
        unit = demo.units.get((space_name, unit_name))
        if unit is None:
            continue
        rng = random.Random(f"past/{space_name}/{unit_name}")
        team = demo_data.PAST_TEAMS.get((space_name, unit_name), 1)
        for day in days:
            if day.weekday() >= 5:
                continue
            share = _share(start, end, day, first, last)
            for email in emails:
                if email in demo.users and (email, day) not in busy and rng.random() < share:
                    book(email, unit, day, rng.choice(SLOTS), rng.randint(1, team))
    for space_name, unit_name, emails, weekday, start, end in demo_data.PAST_ROOMS:
        unit = demo.units.get((space_name, unit_name))
        if unit is None:
            continue
        for n, day in enumerate(d for d in days if d.weekday() == weekday):
            email = emails[n % len(emails)]
            if email in demo.users:
                book(email, unit, day, (start, end))


def _searches(demo: Demo, first: date) -> None:
    """The search log of the months since ``first``: rows as ``observatory.searchlog`` writes
    them (time, commune, radius, dated, results), a few hundred, busier towards today. Left
    alone once the log has a row older than a week."""
    week_ago = datetime.combine(demo.today - timedelta(days=7), datetime.min.time(), UTC)
    if db.session.scalar(sa.select(SearchLog.id).where(SearchLog.searched_at < week_ago).limit(1)):
        return
    last = demo.today - timedelta(days=1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    rows = []
    for place, weekly_start, weekly_end, empty_share in demo_data.SEARCHES:
        commune = resolve_place(place)
        rng = random.Random(f"searches/{place}")
        zone = ZoneInfo(commune.timezone or "Europe/Paris")
        for day in days:
            rate = _share(weekly_start, weekly_end, day, first, last) / 7
            count = int(rate) + (rng.random() < rate - int(rate))
            for _ in range(count):
                moment = datetime.combine(day, datetime.min.time(), zone) + timedelta(
                    minutes=rng.randint(7 * 60, 22 * 60)
                )
                empty = rng.random() < empty_share
                rows.append(
                    SearchLog(
                        searched_at=moment.astimezone(UTC),
                        insee_code=commune.insee,
                        radius_km=rng.choice((2.0, 5.0, 10.0, 20.0)) if not empty else 0.5,
                        dated=empty or rng.random() < 0.6,
                        results=0 if empty else rng.randint(1, 6),
                    )
                )
    db.session.add_all(rows)
    demo.created["logged searches"] += len(rows)


def summary(demo: Demo) -> str:
    total = sum(demo.created.values())
    details = ", ".join(f"{n} {what}" for what, n in demo.created.items() if n)
    text = f"Demo data ready ({total} objects created{': ' + details if details else ''})."
    if demo.skipped:
        text += f" Skipped, not managed by the demo accounts: {', '.join(demo.skipped)}."
    for note in demo.notes:
        text += f" {note}"
    return f"{text} Demo password: {DEMO_PASSWORD}"


# --- accounts and organisations -------------------------------------------------------------


def load_accounts(demo: Demo) -> None:
    for email, name, locale in demo_data.PEOPLE:
        user = accounts.find_user_by_email(email)
        if user is None:
            # Hashed in the loading transaction: a one-off command, not a request.
            user = accounts.register_user(email, accounts.new_password(DEMO_PASSWORD), name, locale)
            demo.created["accounts"] += 1
        demo.users[email] = user


def load_organisations(demo: Demo) -> None:
    for name, kind, owner_email in demo_data.ORGANISATIONS:
        owner = demo.users[owner_email]
        organisation = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
        if organisation is None:
            organisation = organisations.create_organisation(owner, name, kind)
            demo.created["organisations"] += 1
        elif not db.session.scalar(
            sa.select(Membership).where(Membership.organisation_id == organisation.id)
        ):
            db.session.add(Membership(organisation=organisation, user=owner, role="owner"))
        demo.organisations[name] = organisation
        demo.owners[name] = owner
    db.session.flush()


# --- places -----------------------------------------------------------------------------------


def load_spaces(demo: Demo) -> None:
    for spec in demo_data.SPACES:
        organisation = demo.organisations[spec["organisation"]]
        owner = demo.owners[spec["organisation"]]
        if not can_manage(organisations.role_of(owner, organisation.id)):
            demo.skipped.append(spec["name"])
            continue
        space = _space(demo, owner, organisation, spec)
        for unit_spec in spec["units"]:
            demo.units[(space.name, unit_spec["name"])] = _unit(demo, owner, space, unit_spec)
        if not availability.windows_of(space):
            availability.set_opening_hours(owner, space, opening_windows(spec["hours"]))
            demo.created["opening hours"] += 1
        for closure_spec in spec.get("closures", []):
            _closure(demo, owner, space, closure_spec)
        if space.status == "draft":
            listings.publish_space(owner, space)
        _photos(demo, owner, space)
        demo.spaces[space.name] = space


def _space(demo: Demo, owner: User, organisation: Organisation, spec: dict) -> Space:
    space = db.session.scalar(
        sa.select(Space).where(Space.organisation_id == organisation.id, Space.name == spec["name"])
    )
    if space is not None:
        return space
    place = resolve_place(spec["place"])
    latitude, longitude = offset(place.latitude, place.longitude, *spec["offset_m"])
    data = {key: spec.get(key) for key in COPIED_FIELDS}
    data.update(
        organisation_id=organisation.id,
        postal_code=place.postal_code,
        commune=place.name,
        latitude=latitude,
        longitude=longitude,
        timezone=place.timezone,
        available_from=relative_date(spec.get("available_from"), demo.today),
        available_until=relative_date(spec.get("available_until"), demo.today),
    )
    demo.created["places"] += 1
    return listings.create_space(owner, data, place)


def _unit(demo: Demo, owner: User, space: Space, spec: dict) -> Unit:
    """The unit of the spec; ``part_of`` names a unit listed before it in the same place."""
    parent = demo.units[(space.name, spec["part_of"])] if spec.get("part_of") else None
    data = {"booking_mode": "instant", **spec, "part_of": parent.id if parent else None}
    unit = db.session.scalar(
        sa.select(Unit).where(Unit.space_id == space.id, Unit.name == spec["name"])
    )
    if unit is None:
        unit = listings.create_unit(owner, space, data)
        demo.created["units"] += 1
    elif parent is not None and unit.part_of is None:  # a demo loaded before linked units
        listings.update_unit(owner, unit, {"part_of": parent.id})
    return unit


def _closure(demo: Demo, owner: User, space: Space, spec: dict) -> None:
    exists = db.session.scalar(
        sa.select(Closure.id).where(Closure.space_id == space.id, Closure.reason == spec["reason"])
    )
    if exists:
        return
    start, end = next_yearly_period(spec["from"], spec["until"], demo.today)
    zone = ZoneInfo(space.timezone)
    start_at, end_at = (
        datetime.combine(day, datetime.min.time(), zone).astimezone(UTC) for day in (start, end)
    )
    availability.add_closure(owner, space, start_at, end_at, spec["reason"])
    demo.created["closures"] += 1


def _photos(demo: Demo, owner: User, space: Space) -> None:
    """One or two generated pictures per place, when it has none."""
    if space.photos:
        return
    captions = [space.name, f"{space.commune} — {space.address}"]
    count = 2 if space.id % 2 else 1
    for n, caption in enumerate(captions[:count]):
        jpeg = picture(space.name, caption if n else space.commune, space.id + n)
        add_photo(owner, space, jpeg, f"{space.name}, {space.commune}" if not n else caption)
        demo.created["photos"] += 1


# --- dates, hours and places from the data -----------------------------------------------------------------------------


def offset(latitude: float, longitude: float, north_m: float, east_m: float) -> tuple[float, float]:
    """The point ``north_m`` metres north and ``east_m`` east of (latitude, longitude), to 5
    decimals (about a metre); good enough over a few hundred metres."""
    lat = latitude + north_m / METRES_PER_DEGREE
    lon = longitude + east_m / (METRES_PER_DEGREE * math.cos(math.radians(latitude)))
    return round(lat, 5), round(lon, 5)


def relative_date(rule: tuple | None, today: date) -> date | None:
    """A date given relative to today (see ``spaces.demo_data``), or None."""
    if rule is None:
        return None
    kind, *args = rule
    if kind == "days":
        return today + timedelta(days=args[0])
    if kind == "month_start":
        months = today.year * 12 + today.month - 1 + args[0]
        return date(months // 12, months % 12 + 1, 1)
    if kind == "years":
        try:
            return today.replace(year=today.year + args[0])
        except ValueError:  # 29 February
            return today.replace(year=today.year + args[0], day=28)
    if kind == "on":
        month, day, years = args
        return date(today.year + years, month, day)
    raise ValueError(f"unknown date rule {rule!r}")


def next_yearly_period(start: tuple[int, int], until: tuple[int, int], today: date):
    """The next (start, end) dates of a yearly period (month, day) → (month, day), end excluded,
    that has not ended by today; a period that wraps the new year ends the next year."""
    for year in (today.year - 1, today.year, today.year + 1):
        first = date(year, *start)
        end = date(year + (until <= start), *until)
        if end > today:
            return first, end
    raise AssertionError("unreachable")


def opening_windows(hours: dict[str, list[str]]) -> list[Window]:
    """{"mon-fri": ["9:00-12:00", "14:00-17:00"], "sat": [...]} → weekly windows."""
    windows = []
    for days, spans in hours.items():
        first, _, last = days.partition("-")
        weekdays = range(WEEKDAYS.index(first), WEEKDAYS.index(last or first) + 1)
        for span in spans:
            start, end = (_minutes(text) for text in span.split("-"))
            windows.extend(Window(day, start, end) for day in weekdays)
    return windows


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)
