"""Database foundations: the declarative base, aware UTC datetimes, and the one commit point.

Services flush and never commit. A view, API endpoint, CLI command or job wraps its one service
call in ``transaction()``, which commits, or rolls back on any exception, and only then runs the
callbacks that services registered with ``after_commit`` (mail, events).
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask_sqlalchemy import SQLAlchemy
from psycopg.pq import TransactionStatus
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session
from sqlalchemy.pool import Pool

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


# The Flask-SQLAlchemy object lives here with the base model (``spaces.extensions`` re-exports
# it), so that ``transaction()`` reaches the session without importing the extensions back.
db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """A timestamp stored as UTC and always handed back aware, on SQLite as on PostgreSQL.

    Naive values are refused: a naive datetime in the domain is a bug, not a convention.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)


def enum_check(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    """A CHECK constraint keeping a string column within a fixed vocabulary (portable ENUM)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=name)


# --- pooled connections: checked before use only after they sat idle -------------------------

# A connection that came back to the pool less than this long ago is handed out as it is; one
# that sat longer (a database restart, a firewall's idle timeout may have cut it) is pinged
# first, and replaced if the ping fails. SQLAlchemy's ``pool_pre_ping`` pings at every checkout:
# three round trips per booking request.
PING_IDLE_SECONDS = 10.0


@event.listens_for(Pool, "checkin")
def _stamp_idle(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    since = connection_record.info.get("idle_since")
    if since is None or time.monotonic() - since < PING_IDLE_SECONDS:
        return
    try:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_connection.commit()  # not rollback(): psycopg would forget its prepared statements
    except Exception as exc:
        # The pool drops this connection and checks out another (a new one if need be).
        raise sa.exc.DisconnectionError() from exc


# --- PostgreSQL: a transaction that wrote nothing ends with COMMIT ---------------------------

# psycopg prepares a statement on a connection once it has run five times there, so PostgreSQL
# parses and plans it once; but it forgets every prepared statement at each ROLLBACK (and sends
# DEALLOCATE ALL), since a rolled-back transaction may have changed the schema. A request that
# only read (most pages) or a booking refused before any write ends its transaction with a
# rollback: the connections never kept a prepared statement, and PostgreSQL parsed and planned
# every statement of every request. Ending a transaction that ran nothing but SELECTs with
# COMMIT is the same for the database (nothing to undo; its locks are released either way) and
# keeps the statements. Any other statement — INSERT, UPDATE, DELETE, DDL, text that does not
# start with SELECT — and any transaction in error keep the real ROLLBACK.
_WROTE = "spaces_wrote"


@event.listens_for(Engine, "begin")
def _nothing_written_yet(conn) -> None:
    conn.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    if not statement.startswith("SELECT "):
        conn.info[_WROTE] = True


@event.listens_for(Engine, "rollback")
def _commit_what_only_read(conn) -> None:
    """Runs before the rollback: a read-only PostgreSQL transaction is committed instead, and
    the rollback that follows finds no transaction (psycopg then leaves its statements be)."""
    if conn.dialect.name != "postgresql" or conn.invalidated:
        return
    try:
        if conn.info.get(_WROTE, True):
            return
        dbapi_connection = conn.connection.dbapi_connection
        if dbapi_connection.info.transaction_status == TransactionStatus.INTRANS:
            dbapi_connection.commit()
    except Exception:  # the rollback that follows ends the transaction, or reports the failure
        log.debug("read-only commit failed; rolling back", exc_info=True)


# --- SQLite: WAL, a generous busy timeout, and transactions we begin ourselves ---------------

_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("immediate", default=False)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    # pysqlite delays BEGIN until the first write; take control so BEGIN IMMEDIATE is possible.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


# --- the commit point -----------------------------------------------------------------------

_AFTER_COMMIT_KEY = "spaces_after_commit"


def after_commit(session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current transaction commits; drop it if it rolls back."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def discard_after_commit(session) -> None:
    """Forget the side effects queued so far (bulk loads such as the demo data send no mail)."""
    session.info.pop(_AFTER_COMMIT_KEY, None)


@contextmanager
def transaction(
    session=None, *, expire_on_commit: bool = True, keep_loaded: bool = False
) -> Iterator:
    """Run the block in one write transaction: commit on success, roll back on any exception.

    Any read transaction the session had open is ended first, so the block reads fresh rows; on
    SQLite the block starts with BEGIN IMMEDIATE, taking the write lock before its first read, so
    a check-then-write cannot be raced and a stale snapshot can never fail the write. After-commit
    callbacks run after a successful commit, outside the transaction; a failing callback is logged
    and never undoes the commit.

    ``expire_on_commit=False`` keeps what the block loaded and wrote as it was at the commit
    (SQLAlchemy expires it by default): a caller that answers with what it just wrote, and the
    after-commit callbacks (e-mails), then read it without reloading every row once more.
    ``keep_loaded=True`` also keeps what was read before the block (the signed-in user): on
    PostgreSQL at READ COMMITTED the read transaction then simply goes on as the write one —
    every statement there already reads the latest committed rows, and a lock waits for the
    holder's commit — so the block costs no COMMIT and BEGIN more than its own.
    """
    if session is None:
        session = db.session
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("changes were made outside transaction(); they would be lost")
    # The Session itself (db.session is a scoped_session proxy).
    target = session() if isinstance(session, scoped_session) else session
    expiring = target.expire_on_commit
    if keep_loaded and _reads_latest(target):
        pass  # the open read goes on as the write: no COMMIT and BEGIN between them
    elif keep_loaded:
        target.expire_on_commit = False
        try:
            session.commit()  # nothing to write (checked above): it only ends the read
        finally:
            target.expire_on_commit = expiring
    else:
        session.rollback()
    target.expire_on_commit = expire_on_commit
    token = _immediate.set(True)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        session.info.pop(_AFTER_COMMIT_KEY, None)
        raise
    finally:
        _immediate.reset(token)
        target.expire_on_commit = expiring
    callbacks = session.info.pop(_AFTER_COMMIT_KEY, [])
    for callback in callbacks:
        try:
            callback()
        except Exception:  # the commit stands; a failed side effect is logged, not raised
            log.exception("after-commit callback failed")


def _reads_latest(session) -> bool:
    """Whether the session's open transaction is on PostgreSQL at READ COMMITTED (each
    statement sees what was committed before it ran), so it can go on as a write transaction."""
    if not session.in_transaction():
        return False
    dialect = session.get_bind().dialect
    return dialect.name == "postgresql" and dialect.default_isolation_level == "READ COMMITTED"


# Made by migrations for one backend and left out of the models (an expression index of
# PostgreSQL): autogenerate and the models-vs-migrations test must not propose to drop them.
MIGRATION_ONLY = frozenset({"ix_bookings_time_range"})


def schema_object_in_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object``: every schema object but ``MIGRATION_ONLY`` ones."""
    return name not in MIGRATION_ONLY
