"""Calendar imports: a host attaches iCal feeds (or .ics files) to a unit; each event of them
becomes a busy block that takes the whole unit out of availability for its duration.

``add_import``, ``delete_import`` and ``apply_sync`` are ordinary services (flush, never commit).
``sync_import`` is the one command-level function here, as a job or the "sync now" button need
it: it downloads and parses with no transaction open (the network can take seconds), then applies
the result in one ``transaction()`` of its own. ``content`` holds an uploaded file's text, and for
an address whose server sends ETag or Last-Modified, the last text downloaded: a 304 re-reads it,
so the rolling horizon moves on without a download. A sync replaces that import's blocks atomically;
a failed one keeps the previous blocks and records why. Confirmed bookings are never touched: a
new block over one is listed on the host's page and e-mailed to the hosts once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext

from spaces import jobs
from spaces.accounts.models import User
from spaces.availability.services import availability_changed
from spaces.bookings.locking import lock_unit
from spaces.bookings.models import Booking
from spaces.calendars.errors import CalendarError, FetchError, ImportFailure
from spaces.calendars.fetch import (
    DEFAULT_MAX_BYTES,
    DEFAULT_TIMEOUT,
    Fetched,
    fetch_calendar,
)
from spaces.calendars.importer import (
    DEFAULT_HORIZON_MONTHS,
    MAX_SECONDS,
    Block,
    distinct,
    own_booking_id,
    parse_blocks,
)
from spaces.calendars.invitations import uid_domain
from spaces.calendars.models import BusyBlock, CalendarImport
from spaces.db import transaction, utcnow
from spaces.errors import NotFound
from spaces.extensions import db
from spaces.i18n import format_span
from spaces.listings.models import Unit
from spaces.mail import external_url, mail_locale, queue_mail
from spaces.organisations.services import managers

log = logging.getLogger(__name__)


SYNC_JOB = "spaces.calendars.sync.sync_import_job"


@dataclass
class SyncResult:
    """What one sync did: ``error`` is None on success (``not_modified`` for a 304)."""

    import_id: int
    blocks: int
    error: str | None
    last_success_at: datetime | None
    changed: bool = False
    not_modified: bool = False
    new_collisions: list[int] = field(default_factory=list)  # booking ids


def import_settings() -> dict:
    app = current_app
    return {
        "timeout": jobs.setting(app, "CALENDAR_IMPORT_TIMEOUT", DEFAULT_TIMEOUT, float),
        "max_bytes": jobs.setting(app, "CALENDAR_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES, int),
        "horizon": jobs.setting(app, "CALENDAR_IMPORT_HORIZON_MONTHS", DEFAULT_HORIZON_MONTHS, int),
        "parse_seconds": jobs.setting(app, "CALENDAR_IMPORT_PARSE_SECONDS", MAX_SECONDS, float),
        "allow_private": bool(app.config.get("CALENDAR_IMPORT_ALLOW_PRIVATE")),
        "loopback_only": bool(app.config.get("CALENDAR_IMPORT_LOOPBACK_ONLY")),
    }


def translated_error(error: ImportFailure, locale: str | None) -> str:
    """The failure as a sentence in the host's language (stored, shown on the page and the API)."""
    with force_locale(mail_locale(locale)):
        return gettext(error.message, **error.params)


def _locale_of(calendar_import: CalendarImport) -> str | None:
    creator = (
        db.session.get(User, calendar_import.created_by_id)
        if calendar_import.created_by_id
        else None
    )
    return creator.locale if creator else None


_BLOCK_OVERLAPS_BOOKING = sa.and_(
    BusyBlock.unit_id == Booking.unit_id,
    BusyBlock.start_at < Booking.end_at,
    BusyBlock.end_at > Booking.start_at,
)


def unit_collisions(unit: Unit, now: datetime) -> list[tuple[Booking, BusyBlock]]:
    """Confirmed bookings still to come that an imported block overlaps, soonest first."""
    rows = db.session.execute(
        sa.select(Booking, BusyBlock)
        .join(
            BusyBlock,
            _BLOCK_OVERLAPS_BOOKING,
        )
        .where(
            Booking.unit_id == unit.id,
            Booking.status == "confirmed",
            Booking.end_at > now,
        )
        .order_by(Booking.start_at, Booking.id, BusyBlock.start_at)
        .limit(200)
    )
    return [(booking, block) for booking, block in rows]


def _colliding_bookings(import_id: int, unit_id: int, now: datetime) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(Booking.id)
            .join(BusyBlock, _BLOCK_OVERLAPS_BOOKING)
            .where(
                BusyBlock.import_id == import_id,
                Booking.unit_id == unit_id,
                Booking.status == "confirmed",
                Booking.end_at > now,
            )
            .distinct()
        )
    )


def is_own(unit_id: int):
    """``is_own(uid)``: the UID is one of this platform's exported bookings of this very unit
    (``booking-<id>@<our domain>``), so importing the unit's own feed does not block it twice.
    A booking of another unit still blocks: that is how a host links two units."""
    domain = uid_domain()
    known: dict[int, bool] = {}

    def is_own(uid: str) -> bool:
        booking_id = own_booking_id(uid, domain)
        if booking_id is None:
            return False
        if booking_id not in known:
            owner = db.session.scalar(sa.select(Booking.unit_id).where(Booking.id == booking_id))
            known[booking_id] = owner == unit_id
        return known[booking_id]

    return is_own


@dataclass(frozen=True)
class _Snapshot:
    id: int
    unit_id: int
    source: str
    url: str | None
    content: str | None
    etag: str | None
    last_modified: str | None
    timezone: str
    locale: str | None


def sync_import(import_id: int, now: datetime | None = None) -> SyncResult | None:
    """Fetch and re-read one import now, then apply it in one transaction; None if it is gone.

    Never raises for a bad feed: the result's ``error`` says what went wrong and the previous
    blocks stay. Opens its own transaction: call it outside any.
    """
    now = now or utcnow()
    calendar_import = db.session.get(CalendarImport, import_id)
    if calendar_import is None:
        return None
    unit = db.session.get(Unit, calendar_import.unit_id)
    snapshot = _Snapshot(
        id=calendar_import.id,
        unit_id=calendar_import.unit_id,
        source=calendar_import.source,
        url=calendar_import.url,
        content=calendar_import.content,
        etag=calendar_import.etag,
        last_modified=calendar_import.last_modified,
        timezone=unit.space.timezone,
        locale=_locale_of(calendar_import),
    )
    settings = import_settings()
    db.session.rollback()  # no transaction stays open while the network is slow
    fetched: Fetched | None = None
    blocks: list[Block] | None = None
    error: str | None = None
    try:
        text = snapshot.content or ""
        if snapshot.source == "url":
            fetched = fetch_calendar(
                snapshot.url or "",
                etag=snapshot.etag,
                last_modified=snapshot.last_modified,
                timeout=settings["timeout"],
                max_bytes=settings["max_bytes"],
                allow_private=settings["allow_private"],
                loopback_only=settings["loopback_only"],
            )
            # 304: re-read the copy kept from the last download, for the rolling horizon
            text = fetched.text if not fetched.not_modified else snapshot.content
        if text is not None:
            blocks = parse_blocks(
                text,
                snapshot.timezone,
                now,
                horizon_months=settings["horizon"],
                max_seconds=settings["parse_seconds"],
                is_own=is_own(snapshot.unit_id),
            )
    except (FetchError, CalendarError) as failure:
        error = translated_error(failure, snapshot.locale)
    except Exception:  # a bug must not leave the import unrecorded (nor answer a 500)
        log.exception("calendar import %s: unexpected failure", snapshot.id)
        with force_locale(mail_locale(snapshot.locale)):
            error = gettext("Something went wrong on our side. It has been logged.")
    with transaction():
        try:
            lock_unit(snapshot.unit_id)
            locked = True
        except NotFound:
            locked = False
        calendar_import = db.session.scalars(
            sa.select(CalendarImport)
            .where(CalendarImport.id == snapshot.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).first()
        if not locked or calendar_import is None:
            return None  # deleted while we were downloading
        return apply_sync(calendar_import, blocks, fetched, error, now)


def apply_sync(
    calendar_import: CalendarImport,
    blocks: list[Block] | None,
    fetched: Fetched | None,
    error: str | None,
    now: datetime,
) -> SyncResult:
    """Record a sync's outcome: on ``error`` keep the blocks and say why; with ``blocks`` None
    (a 304 and nothing kept to re-read) keep them; otherwise replace them when they changed,
    bump the unit's availability and tell the hosts about bookings a new block now overlaps."""
    calendar_import.last_attempt_at = now
    result = SyncResult(calendar_import.id, calendar_import.blocks_count or 0, error, None)
    if error is not None:
        calendar_import.last_error = error
        result.last_success_at = calendar_import.last_success_at
        db.session.flush()
        return result
    calendar_import.last_error = None
    calendar_import.last_success_at = now
    result.last_success_at = now
    result.not_modified = fetched is not None and fetched.not_modified
    if fetched is not None and not fetched.not_modified:
        calendar_import.etag = (fetched.etag or "")[:300] or None
        calendar_import.last_modified = (fetched.last_modified or "")[:100] or None
        # Kept only when the server lets us ask "changed?": a 304 then re-reads this copy
        # (the horizon rolls on) instead of downloading the calendar again.
        validated = calendar_import.etag or calendar_import.last_modified
        if calendar_import.content != (fetched.text if validated else None):
            calendar_import.content = fetched.text if validated else None
    if blocks is None:
        db.session.flush()
        return result
    old = db.session.execute(
        sa.select(BusyBlock.start_at, BusyBlock.end_at, BusyBlock.uid, BusyBlock.summary).where(
            BusyBlock.import_id == calendar_import.id
        )
    ).all()
    if frozenset(tuple(row) for row in old) == distinct(blocks) and len(old) == len(blocks):
        calendar_import.blocks_count = len(blocks)
        db.session.flush()
        return result
    unit_id = calendar_import.unit_id
    before = _colliding_bookings(calendar_import.id, unit_id, now)
    db.session.execute(
        sa.delete(BusyBlock).where(BusyBlock.import_id == calendar_import.id),
        execution_options={"synchronize_session": False},
    )
    if blocks:
        db.session.execute(
            sa.insert(BusyBlock),
            [
                {
                    "import_id": calendar_import.id,
                    "unit_id": unit_id,
                    "start_at": b.start,
                    "end_at": b.end,
                    "uid": b.uid,
                    "summary": b.summary,
                }
                for b in blocks
            ],
        )
    calendar_import.blocks_count = len(blocks)
    unit = db.session.get(Unit, unit_id)
    availability_changed([unit])
    db.session.flush()
    result.blocks = len(blocks)
    result.changed = True
    new = sorted(_colliding_bookings(calendar_import.id, unit_id, now) - before)
    result.new_collisions = new
    if new:
        _tell_hosts(calendar_import, unit, new)
    return result


def _tell_hosts(calendar_import: CalendarImport, unit: Unit, booking_ids: list[int]) -> None:
    bookings = list(
        db.session.scalars(
            sa.select(Booking).where(Booking.id.in_(booking_ids)).order_by(Booking.start_at)
        )
    )
    link = external_url("calendar_imports.page", unit_id=unit.id)
    for host in managers(unit.space.organisation):
        locale = mail_locale(host.locale)  # the dates too: not the language of the sync's request
        queue_mail(
            db.session,
            host.email,
            "calendar_collision",
            locale,
            recipient=host,
            unit=unit,
            space=unit.space,
            calendar=calendar_import,
            items=[
                (b, format_span(b.start_at, b.end_at, unit.space.timezone, locale))
                for b in bookings
            ],
            link=link,
        )


# --- jobs and commands -------------------------------------------------------------------------


def sync_import_job(import_id: int) -> None:
    """The background job: sync one import (its outcome is recorded on the import)."""
    sync_import(import_id)


def import_ids() -> list[int]:
    return list(db.session.scalars(sa.select(CalendarImport.id).order_by(CalendarImport.id)))


def enqueue_all_syncs() -> int:
    """The periodic job: queue one sync per import (a sync still queued is not queued twice)."""
    ids = import_ids()
    db.session.rollback()
    for import_id in ids:
        jobs.enqueue(SYNC_JOB, import_id, job_id=f"calendar-sync-{import_id}")
    return len(ids)


def sync_all_imports(now: datetime | None = None) -> list[SyncResult]:
    """Sync every import now, one after the other (``flask calendars sync``)."""
    results = []
    for import_id in import_ids():
        result = sync_import(import_id, now)
        if result is not None:
            results.append(result)
    return results
