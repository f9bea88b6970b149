"""Rate limits on log-in, token, registration and reset: a 429, shared by every process via Redis."""

from __future__ import annotations

import json
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from tests.conftest import app_config
from tests.factories import make_user, post_form
from tests.servers import gunicorn


def _post_json(url: str, payload: dict) -> tuple[int, dict]:
    request = Request(
        url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.redis
def test_sixth_failed_login_is_429_across_two_processes_sharing_redis(
    app, app_ctx, database, redis_url
):
    make_user("camille@example.org")
    env = {
        "DATABASE_URL": database.url,
        "REDIS_URL": redis_url,
        "RATELIMIT_ENABLED": "1",
        "RATELIMIT_KEY_PREFIX": "t429",
    }
    wrong = {"email": "camille@example.org", "password": "not the password"}
    with gunicorn(env) as server_a, gunicorn(env) as server_b:
        for server in (server_a, server_a, server_b, server_a, server_b):
            status, body = _post_json(f"{server}/api/v1/auth/token", wrong)
            assert status == 401, body
        status, body = _post_json(f"{server_a}/api/v1/auth/token", wrong)
        assert status == 429
        assert body["error"]["code"] == "rate_limited"
        assert body["error"]["message"]
    import redis

    keys = redis.Redis.from_url(redis_url).keys("*t429*")
    assert keys, "the counter lives in Redis"


@pytest.fixture
def limited_app(app, database, instance_dir):
    """The test's app again, with rate limiting on (in-process memory storage)."""
    from spaces import create_app

    limited = create_app(app_config(database.url, instance_dir, RATELIMIT_ENABLED=True))
    limited.test_client_class = app.test_client_class
    with limited.app_context():
        from spaces.extensions import limiter

        limiter.reset()
        yield limited


def test_successful_logins_are_not_counted(limited_app):
    app = limited_app
    make_user("camille@example.org")
    for _ in range(8):
        client = app.test_client()
        response = post_form(
            client, "/login", {"email": "camille@example.org", "password": "correct horse battery"}
        )
        assert response.status_code == 302


def test_sixth_failed_login_in_the_browser_gets_a_friendly_page(limited_app):
    app = limited_app
    make_user("camille@example.org")
    client = app.test_client()
    statuses = [
        post_form(
            client, "/login", {"email": "camille@example.org", "password": "nope nope nope"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    page = client.get("/login")  # reading the page is not limited
    assert page.status_code == 200
    refused = post_form(
        client, "/login", {"email": "camille@example.org", "password": "correct horse battery"}
    )
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "<html" in html and ("wait" in html or "Patientez" in html or "patienter" in html)
