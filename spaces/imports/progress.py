"""How far a running import has gone: in Redis when the app has one (the worker is another
process), else in this process's memory (the job runs inline or on the app's thread pool)."""

from __future__ import annotations

import logging
import threading

from flask import current_app

from spaces.jobs import redis_connection

log = logging.getLogger(__name__)

TTL_SECONDS = 3600
_LOCAL: dict[int, int] = {}
_LOCK = threading.Lock()


def _key(import_id: int) -> str:
    return f"spaces:listing-import:{import_id}"


def report(import_id: int, done: int) -> None:
    """Record that ``done`` rows are written (best effort: progress is only shown)."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        try:
            redis_connection(app).set(_key(import_id), done, ex=TTL_SECONDS)
        except Exception:  # a page without a progress bar is no reason to fail an import
            log.warning("could not record the progress of import %s", import_id, exc_info=True)
        return
    with _LOCK:
        _LOCAL[import_id] = done


def rows_done(import_id: int) -> int:
    """Rows written so far by the running import (0 when unknown)."""
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        try:
            value = redis_connection(app).get(_key(import_id))
        except Exception:
            return 0
        return int(value or 0)
    with _LOCK:
        return _LOCAL.get(import_id, 0)
