"""Test fixtures: every database test runs on SQLite and on PostgreSQL.

The ``database`` fixture is session-scoped and parametrised by backend; the schema comes from the
migrations, once per backend and session, and every test starts from empty tables. Tests that need
PostgreSQL, Redis or Chromium skip with a reason on a laptop without them, and fail in CI
(``CI=true``), where they must run.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from spaces import create_app
from spaces.config import TEST_OVERRIDES

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://127.0.0.1:5432/test")
# One Redis database per xdist worker (gw0 → 15, gw1 → 14, …): queues, rate limits and event
# channels never cross between workers.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_TEST_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - _WORKER}")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BACKENDS = [
    p.strip() for p in os.environ.get("TEST_BACKENDS", "sqlite,postgresql").split(",") if p.strip()
]


def require(reason: str):
    """Skip with a reason on a developer's machine; fail in CI, where everything must run."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason)


# --- databases -------------------------------------------------------------------------------


@dataclass
class Database:
    backend: str
    url: str


def _postgres_admin():
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        require(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc}")


def create_postgres_database() -> tuple[str, callable]:
    """A new, empty PostgreSQL database; returns its SQLAlchemy URL and a function to drop it."""
    from sqlalchemy.engine import make_url

    name = f"spaces_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with _postgres_admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)

    def drop():
        with _postgres_admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.render_as_string(hide_password=False), drop


def make_database(backend: str, directory: Path) -> tuple[str, callable]:
    if backend == "sqlite":
        path = directory / f"{uuid.uuid4().hex[:8]}.sqlite3"
        return f"sqlite:///{path}", lambda: None
    return create_postgres_database()


def app_config(database_url: str, instance: Path, **extra) -> dict:
    return {
        **TEST_OVERRIDES,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance),
        "REDIS_URL": None,
        **extra,
    }


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("instance")


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory, instance_dir) -> Database:
    """A database migrated to head, for the whole session, on one backend."""
    from flask_migrate import upgrade

    url, drop = make_database(request.param, tmp_path_factory.mktemp(request.param))
    request.addfinalizer(drop)
    app = create_app(app_config(url, instance_dir))
    with app.app_context():
        upgrade()
        from spaces.extensions import db

        db.engine.dispose()
    return Database(request.param, url)


def empty_tables(db) -> None:
    """Delete every row of the app's tables and restart their ids (the schema and alembic_version
    stay).

    DELETE, children first, rather than TRUNCATE on PostgreSQL: a test leaves a few rows, and
    TRUNCATE of every table costs about 0.6 s where DELETE takes 30 ms — paid after every test.
    """
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        for name in tables:
            conn.execute(sa.text(f"DELETE FROM {name}"))
        if conn.dialect.name == "postgresql":
            conn.execute(
                sa.text(
                    "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c"
                    " WHERE c.relkind = 'S' AND c.relnamespace = current_schema()::regnamespace"
                )
            )
        elif _has_sequence(conn):
            conn.execute(sa.text("DELETE FROM sqlite_sequence"))


def _has_sequence(conn) -> bool:
    return bool(
        conn.execute(sa.text("SELECT 1 FROM sqlite_master WHERE name='sqlite_sequence'")).first()
    )


@pytest.fixture
def outbox_dir(tmp_path) -> Path:
    path = tmp_path / "outbox"
    path.mkdir()
    return path


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Without this, a test that holds an app context (to build data) would share ``g`` and the
    database session with the requests it makes, and a user logged in by one client would leak
    into another's requests.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(database, instance_dir, outbox_dir):
    """The app on a clean database; mail goes to the test's outbox."""
    from spaces.extensions import db

    application = create_app(
        app_config(database.url, instance_dir, MAIL_OUTBOX_DIR=str(outbox_dir))
    )
    application.config["BACKEND"] = database.backend
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        db.session.remove()
        empty_tables(db)
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(request, app_ctx) -> dict:
    """The usual cast (``tests.factories.make_world``): a host, a booker, La Cantine with a desk
    pool and a meeting room. A module or test varies it with ``@pytest.mark.world(**options)``
    (``make_world``'s arguments: opening windows, the booker's locale, more people)."""
    from tests.factories import make_world

    marker = request.node.get_closest_marker("world")
    return make_world(*marker.args, **marker.kwargs) if marker else make_world()


def pytest_configure(config):
    config.addinivalue_line("markers", "world(**options): a variant of the world fixture")


# --- mail ------------------------------------------------------------------------------------


class Outbox:
    """The messages the app wrote to its outbox folder, oldest first."""

    def __init__(self, directory: Path):
        self.directory = directory

    def messages(self) -> list[email.message.EmailMessage]:
        files = sorted(self.directory.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [
            email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files
        ]

    def __len__(self) -> int:
        return len(self.messages())

    def last(self, to: str | None = None) -> email.message.EmailMessage:
        messages = [m for m in self.messages() if to is None or to in str(m["To"])]
        assert messages, f"no message to {to or 'anyone'} in the outbox"
        return messages[-1]

    @staticmethod
    def body(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    def links(self, message) -> list[str]:
        return re.findall(r"https?://\S+", self.body(message))


@pytest.fixture
def outbox(outbox_dir) -> Outbox:
    return Outbox(outbox_dir)


# --- Redis -----------------------------------------------------------------------------------


@pytest.fixture
def redis_url() -> str:
    """A Redis database for this test, emptied before it starts."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.RedisError as exc:
        require(f"Redis is not reachable at {REDIS_TEST_URL}: {exc}")
    client.flushdb()
    client.close()
    return REDIS_TEST_URL
