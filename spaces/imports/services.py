"""Spreadsheet imports: preview an upload, keep it when every row is good, run it as one job.

``preview_upload`` reads and checks a file for an organisation the actor manages, writing
nothing. ``stage_import`` keeps a preview without errors (a ``ListingImport``, status "ready");
``start_import`` queues it (``spaces.jobs``, after the commit); ``run_import_job`` writes every
row in ONE transaction, all or nothing, then records "done" or "failed". A row whose reference
names a place of the organisation updates it and its first offer; any other row creates a
draft place with one offer.
"""

from __future__ import annotations

import json
import logging
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces import jobs
from spaces.accounts.models import User
from spaces.accounts.permissions import can_manage
from spaces.db import transaction, utcnow
from spaces.errors import Conflict, NotFound
from spaces.extensions import db
from spaces.imports import progress
from spaces.imports.checking import IMPORT_BOOKING_MODE, Preview, check_table, place_from
from spaces.imports.models import ListingImport
from spaces.imports.reading import read_table
from spaces.listings import services as listings
from spaces.listings.models import Space
from spaces.organisations.services import role_of

log = logging.getLogger(__name__)

JOB = "spaces.imports.services.run_import_job"
PROGRESS_EVERY = 10


def preview_upload(actor: User, organisation_id: int, data: bytes) -> Preview:
    """The file checked for the organisation (which the actor must manage); writes nothing.

    Raises ``reading.Unreadable`` for a file that is no spreadsheet or is out of bounds."""
    listings.managed_organisation(actor, organisation_id)
    return check_table(read_table(data), organisation_id)


def stage_import(actor: User, organisation_id: int, filename: str, preview: Preview):
    """Keep a preview without errors, ready to run (in the caller's transaction), in place of
    the actor's earlier previews for the organisation that were never run."""
    if not preview.ok:
        raise Conflict(_l("Correct the rows with errors first."), code="invalid_state")
    organisation = listings.managed_organisation(actor, organisation_id)
    # A new upload supersedes the person's previews of this organisation that never ran.
    db.session.execute(
        sa.delete(ListingImport).where(
            ListingImport.organisation_id == organisation_id,
            ListingImport.created_by_id == actor.id,
            ListingImport.status == "ready",
        )
    )
    rows = [{**row.data, "number": row.number, "shown": row.shown} for row in preview.rows]
    record = ListingImport(
        organisation=organisation,
        created_by_id=actor.id,
        filename=(filename or "")[:200],
        status="ready",
        rows_json=json.dumps(rows, ensure_ascii=False),
        total=len(rows),
    )
    db.session.add(record)
    db.session.flush()
    return record


def get_import(actor: User | None, import_id: int) -> ListingImport:
    """An import of an organisation the actor manages; NotFound otherwise."""
    record = db.session.get(ListingImport, import_id)
    if record is None or actor is None:
        raise NotFound()
    if not can_manage(role_of(actor, record.organisation_id)):
        raise NotFound()
    return record


def start_import(actor: User, record: ListingImport) -> bool:
    """Queue a ready import (once: False when it was already started)."""
    listings.managed_organisation(actor, record.organisation_id)
    if record.status != "ready":
        return False
    record.status = "queued"
    db.session.flush()
    jobs.enqueue_after_commit(db.session, JOB, record.id)
    return True


def rows_done(record: ListingImport) -> int:
    """How many rows are written: all once done, the job's progress while it runs."""
    if record.status == "done":
        return record.total
    if record.status == "running":
        return min(progress.rows_done(record.id), record.total)
    return 0


def run_import_job(import_id: int) -> None:
    """The job: write every row of a queued import in one transaction, then say how it went."""
    with transaction():
        record = db.session.get(ListingImport, import_id)
        if record is None or record.status != "queued":
            return
        record.status = "running"
    progress.report(import_id, 0)
    try:
        with transaction():
            record = db.session.get(ListingImport, import_id)
            actor = db.session.get(User, record.created_by_id) if record.created_by_id else None
            if actor is None:
                raise NotFound(_l("The person who uploaded this file no longer has an account."))
            created, updated = _write_rows(actor, record)
            record.status = "done"
            record.created_count, record.updated_count = created, updated
            record.finished_at = utcnow()
    except Exception as error:
        log.warning("listing import %s failed", import_id, exc_info=True)
        message = getattr(error, "message", None) or _l(
            "The import failed and nothing was written. Upload the file again to retry."
        )
        with transaction():
            record = db.session.get(ListingImport, import_id)
            record.status = "failed"
            record.message = str(message)[:1000]
            record.finished_at = utcnow()


def _write_rows(actor: User, record: ListingImport) -> tuple[int, int]:
    rows = record.rows
    references = [row["reference"] for row in rows]
    query = sa.select(Space).where(
        Space.organisation_id == record.organisation_id, Space.import_reference.in_(references)
    )
    existing = {space.import_reference: space for space in db.session.scalars(query)}
    created = updated = 0
    for done, row in enumerate(rows, start=1):
        space = existing.get(row["reference"])
        if space is None:
            _create(actor, record.organisation_id, row)
            created += 1
        else:
            _update(actor, space, row)
            updated += 1
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            progress.report(record.id, done)
    return created, updated


def _space_data(values: dict) -> tuple[dict, object]:
    data = {k: v for k, v in values.items() if k not in ("surface_m2", "default_kind")}
    for name in ("available_from", "available_until"):
        if name in data:
            data[name] = date.fromisoformat(data[name]) if data[name] else None
    data.update(latitude=None, longitude=None, timezone=None)
    return data, values.get("surface_m2", ...)


def _create(actor: User, organisation_id: int, row: dict) -> Space:
    data, surface = _space_data(row["space"])
    space = listings.create_space(
        actor, {**data, "organisation_id": organisation_id}, place_from(row["place"])
    )
    space.import_reference = row["reference"]
    if surface is not ...:
        space.surface_m2 = surface
    unit = {k: v for k, v in row["unit"].items() if k != "default_kind"}
    listings.create_unit(actor, space, {**unit, "booking_mode": IMPORT_BOOKING_MODE})
    return space


def _update(actor: User, space: Space, row: dict) -> None:
    data, surface = _space_data(row["space"])
    if row["space"].get("default_kind"):
        del data["kind"]  # the file names no kind: the place keeps its own
    moved = data["commune"] != space.commune or data.get("postal_code", space.postal_code) != (
        space.postal_code
    )
    place = place_from(row["place"]) if moved else None
    listings.update_space(actor, space, data, place)
    if surface is not ...:
        space.surface_m2 = surface
    unit_values = dict(row["unit"])
    if unit_values.pop("default_kind", False):
        unit_values.pop("kind")
    unit_values.pop("name")  # the offer keeps its own name
    units = sorted(space.units, key=lambda u: (not u.active, u.position, u.id))
    if not units:
        listings.create_unit(
            actor,
            space,
            {**row["unit"], "booking_mode": IMPORT_BOOKING_MODE, "name": space.name},
        )
        return
    unit = units[0]
    if "prices" in unit_values:
        unit_values["prices"] = {**unit.prices, **unit_values["prices"]}
    listings.update_unit(actor, unit, unit_values)
