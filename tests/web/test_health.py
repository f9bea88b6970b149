"""Health checks and request ids."""

from __future__ import annotations


def test_healthz_and_readyz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"] == {"database": "ok"}


def test_readyz_fails_when_the_database_is_unreachable(app, instance_dir):
    from spaces import create_app
    from tests.conftest import app_config

    broken = create_app(app_config("postgresql+psycopg://nobody@127.0.0.1:1/nothing", instance_dir))
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"].startswith("error")


def test_request_id_is_echoed_or_made(client):
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers[
        "X-Request-ID"
    ]
    assert made != "bad id with spaces" and len(made) == 32


def _terminate_app_connections(app, database) -> int:
    """Cut the server side of every connection the app's pool holds (as a restart would)."""
    from sqlalchemy.engine import make_url

    from tests.conftest import _postgres_admin

    name = make_url(database.url).database
    with _postgres_admin() as admin:
        return admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        ).fetchone()[0]


def test_a_pooled_connection_cut_while_idle_is_replaced_before_use(
    app, client, database, monkeypatch
):
    """The pool pings a connection that sat idle (spaces.db.PING_IDLE_SECONDS) and replaces it
    when the ping fails: the next request after a database restart gets its answer, not a 500."""
    import pytest

    if database.backend != "postgresql":
        pytest.skip("needs a server connection to cut")
    import spaces.db

    assert client.get("/api/v1/spaces?per_page=1").status_code == 200  # a connection pooled
    assert _terminate_app_connections(app, database) >= 1
    monkeypatch.setattr(spaces.db, "PING_IDLE_SECONDS", 0.0)
    assert client.get("/api/v1/spaces?per_page=1").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_a_connection_used_again_at_once_is_not_pinged(app, client, database, monkeypatch):
    """Within the idle period the pool hands the connection out as it is (no round trip): cut
    it, and the next request fails, which is what the ping after idleness is for."""
    import pytest

    if database.backend != "postgresql":
        pytest.skip("needs a server connection to cut")
    import spaces.db

    monkeypatch.setattr(spaces.db, "PING_IDLE_SECONDS", 3600.0)
    assert client.get("/api/v1/spaces?per_page=1").status_code == 200
    assert _terminate_app_connections(app, database) >= 1
    assert client.get("/api/v1/spaces?per_page=1").status_code == 500
    # SQLAlchemy invalidates the pool on the disconnect: the request after that one works.
    assert client.get("/api/v1/spaces?per_page=1").status_code == 200
