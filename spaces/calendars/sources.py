"""Imported calendars of a unit: settings, adding (by address or file), listing, removing, and
the bookings their busy blocks collide with. Fetching and storing blocks is ``sync``.
"""

from __future__ import annotations

import logging
from datetime import datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces import jobs
from spaces.accounts.models import User
from spaces.availability.services import availability_changed
from spaces.bookings.locking import lock_unit
from spaces.calendars.addresses import check_url_shape
from spaces.calendars.errors import CalendarError, FetchError
from spaces.calendars.importer import parse_blocks
from spaces.calendars.models import BusyBlock, CalendarImport
from spaces.calendars.sync import SYNC_JOB, apply_sync, import_settings, is_own, translated_error
from spaces.db import utcnow
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.listings.models import Unit
from spaces.listings.services import can_edit, get_unit

log = logging.getLogger(__name__)


MAX_IMPORTS_PER_UNIT = 20


def get_import(actor: User | None, import_id: int) -> CalendarImport:
    """An import of a unit the actor manages; NotFound (or Forbidden for a mere member) otherwise."""
    calendar_import = db.session.get(CalendarImport, import_id)
    if calendar_import is None:
        raise NotFound()
    get_unit(actor, calendar_import.unit_id, edit=True)
    return calendar_import


def list_imports(actor: User | None, unit: Unit) -> list[CalendarImport]:
    """The unit's imports, oldest first (addresses are secrets: managers only)."""
    if not can_edit(actor, unit.space):
        raise Forbidden()
    return list(
        db.session.scalars(
            sa.select(CalendarImport)
            .where(CalendarImport.unit_id == unit.id)
            .order_by(CalendarImport.id)
        )
    )


# A busy block and a booking of the same unit that share some time (half-open intervals).


def add_import(
    actor: User,
    unit: Unit,
    url: str | None = None,
    content: str | None = None,
    name: str = "",
    now: datetime | None = None,
) -> CalendarImport:
    """Attach a calendar address (synced right after the commit) or an uploaded file's text
    (read now) to a unit.

    Raises Forbidden unless the actor manages the unit; Invalid for a bad address or a file that
    is not a calendar; Conflict for an address already imported or too many calendars.
    """
    if not can_edit(actor, unit.space):
        raise Forbidden()
    if (url is None) == (content is None):
        raise Invalid(_l("Give a calendar address or a file."), code="invalid_body")
    count = db.session.scalar(sa.select(sa.func.count()).where(CalendarImport.unit_id == unit.id))
    if count >= MAX_IMPORTS_PER_UNIT:
        raise Conflict(
            _l("A unit can import at most %(n)s calendars.", n=MAX_IMPORTS_PER_UNIT),
            code="too_many_calendars",
        )
    now = now or utcnow()
    calendar_import = CalendarImport(
        unit_id=unit.id, created_by_id=actor.id, name=(name or "").strip()[:200]
    )
    if url is not None:
        url = url.strip()
        try:
            check_url_shape(url)
        except FetchError as error:
            message = translated_error(error, actor.locale)
            raise Invalid(message, fields={"url": [message]}) from None
        duplicate = db.session.scalar(
            sa.select(CalendarImport.id).where(
                CalendarImport.unit_id == unit.id, CalendarImport.url == url
            )
        )
        if duplicate:
            raise Conflict(_l("This calendar is already imported for this unit."), code="duplicate")
        calendar_import.source = "url"
        calendar_import.url = url
        calendar_import.name = calendar_import.name or (urlsplit(url).hostname or "")[:200]
        db.session.add(calendar_import)
        db.session.flush()
        jobs.enqueue_after_commit(
            db.session, SYNC_JOB, calendar_import.id, job_id=f"calendar-sync-{calendar_import.id}"
        )
        return calendar_import
    settings = import_settings()
    if len(content.encode("utf-8")) > settings["max_bytes"]:
        message = _l("The file is larger than %(size)s MB.", size=settings["max_bytes"] // 2**20)
        raise Invalid(message, fields={"file": [message]})
    try:
        blocks = parse_blocks(
            content,
            unit.space.timezone,
            now,
            horizon_months=settings["horizon"],
            max_seconds=settings["parse_seconds"],
            is_own=is_own(unit.id),
        )
    except CalendarError as error:
        message = translated_error(error, actor.locale)
        raise Invalid(message, fields={"file": [message]}) from None
    calendar_import.source = "file"
    calendar_import.content = content
    db.session.add(calendar_import)
    lock_unit(unit.id)
    db.session.flush()
    apply_sync(calendar_import, blocks, None, None, now)
    return calendar_import


def delete_import(actor: User, calendar_import: CalendarImport) -> None:
    """Remove an import and its blocks; the unit is free again where they were."""
    unit = db.session.get(Unit, calendar_import.unit_id)
    if not can_edit(actor, unit.space):
        raise Forbidden()
    had_blocks = db.session.scalar(
        sa.select(BusyBlock.id).where(BusyBlock.import_id == calendar_import.id).limit(1)
    )
    db.session.execute(
        sa.delete(BusyBlock).where(BusyBlock.import_id == calendar_import.id),
        execution_options={"synchronize_session": False},
    )
    db.session.delete(calendar_import)
    if had_blocks:
        availability_changed([unit])
    db.session.flush()
