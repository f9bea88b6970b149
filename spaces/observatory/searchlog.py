"""The anonymous search log: one row per search, written cheaply; purged after 24 months.

A row keeps the time, the commune of the place (the commune a place name resolves to; for a
point, the nearest commune of the offline index), the radius, whether dates were given and the
number of results — nothing about the person. It is written on a connection of its own, in a
transaction of its own (the search's session and its loaded rows are left alone), without
waiting for the disk on PostgreSQL and for at most a moment for SQLite's write lock: a search
never waits on, or fails because of, its log.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from spaces.db import transaction, utcnow
from spaces.extensions import db
from spaces.geo.nearby import nearest_commune
from spaces.observatory.models import SearchLog

log = logging.getLogger(__name__)
KEEP_MONTHS = 24
SQLITE_WAIT_MS = 200  # then the row is given up (the connection's own timeout is restored)


def commune_of(insee_code: str | None, latitude: float | None, longitude: float | None):
    """The INSEE code a search is counted in: the place's, else the nearest commune's."""
    if insee_code:
        return insee_code
    if latitude is None or longitude is None:
        return None
    commune = nearest_commune(latitude, longitude)
    return commune.insee if commune else None


def record_search(
    insee_code: str | None,
    latitude: float | None,
    longitude: float | None,
    radius_km: float | None,
    dated: bool,
    results: int,
    now: datetime | None = None,
) -> None:
    """Log one search (one INSERT on its own connection); a failure is logged, never raised."""
    try:
        values = {
            "searched_at": now or utcnow(),
            "insee_code": commune_of(insee_code, latitude, longitude),
            "radius_km": radius_km if latitude is not None else None,
            "dated": bool(dated),
            "results": int(results),
        }
        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                previous = int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar())
                connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_WAIT_MS}")
            else:
                connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF")
            try:
                connection.execute(sa.insert(SearchLog), values)
                connection.commit()
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={previous}")
                    connection.commit()
    except Exception:  # the search has its answer: its log is not worth an error
        log.warning("could not log a search", exc_info=True)


def purge_before(now: datetime) -> datetime:
    """The instant 24 months before ``now`` (same day and time; the 29th of February → 28th)."""
    day = 28 if (now.month, now.day) == (2, 29) else now.day
    return now.replace(year=now.year - KEEP_MONTHS // 12, day=day)


def purge_search_log(now: datetime | None = None) -> int:
    """Delete rows older than 24 months; how many (flushes, never commits)."""
    cutoff = purge_before(now or utcnow())
    result = db.session.execute(sa.delete(SearchLog).where(SearchLog.searched_at < cutoff))
    return result.rowcount or 0


def purge_search_log_job() -> None:
    """The periodic job: ``purge_search_log`` in a transaction of its own."""
    with transaction():
        count = purge_search_log()
    if count:
        log.info("purged %d search log rows older than %d months", count, KEEP_MONTHS)
