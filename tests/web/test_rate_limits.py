"""Rate limits on log-in, token, registration and reset: a 429, shared by every process via Redis."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import app_config
from tests.factories import PASSWORD, make_user, post_form
from tests.servers import gunicorn, gunicorns, post_json


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
    with gunicorns(env, 2) as (server_a, server_b):
        for server in (server_a, server_a, server_b, server_a, server_b):
            status, body = post_json(f"{server}/api/v1/auth/token", wrong)
            assert status == 401, body
        status, body = post_json(f"{server_a}/api/v1/auth/token", wrong)
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


def _token_request(client, email: str, password: str, address: str = "127.0.0.1"):
    return client.post(
        "/api/v1/auth/token",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def test_a_burst_of_wrong_passwords_is_checked_at_most_five_times(app, app_ctx, database):
    """40 wrong passwords sent at once: 5 are checked (401), the 35 others refused unchecked."""
    make_user("camille@example.org")
    env = {"DATABASE_URL": database.url, "REDIS_URL": None, "RATELIMIT_ENABLED": "1"}
    wrong = {"email": "camille@example.org", "password": "not the password"}
    with gunicorn(env, threads=40) as server, ThreadPoolExecutor(max_workers=40) as pool:
        results = list(
            pool.map(lambda _: post_json(f"{server}/api/v1/auth/token", wrong), range(40))
        )
    statuses = sorted(status for status, _ in results)
    assert statuses == [401] * 5 + [429] * 35, statuses
    refused = next(body for status, body in results if status == 429)
    assert refused["error"]["code"] == "rate_limited"


def test_the_page_and_the_api_share_one_login_limit(limited_app):
    app = limited_app
    make_user("camille@example.org")
    client = app.test_client()
    for _ in range(3):
        page = post_form(
            client, "/login", {"email": "camille@example.org", "password": "nope nope nope"}
        )
        assert page.status_code == 401
    for _ in range(2):
        assert _token_request(client, "camille@example.org", "nope nope nope").status_code == 401
    refused = _token_request(client, "camille@example.org", "nope nope nope")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    page = post_form(client, "/login", {"email": "camille@example.org", "password": PASSWORD})
    assert page.status_code == 429


def test_one_account_is_limited_across_client_addresses(limited_app):
    """Ten wrong passwords for one address from ten machines: the eleventh guess is refused,
    even with the right password, while other accounts can still log in from there."""
    app = limited_app
    make_user("camille@example.org")
    make_user("hugo@example.org")
    client = app.test_client()
    for n in range(10):
        wrong = _token_request(client, "Camille@example.org", f"guess number {n}", f"10.0.0.{n}")
        assert wrong.status_code == 401
    refused = _token_request(client, "camille@example.org", PASSWORD, "10.0.1.1")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert _token_request(client, "hugo@example.org", PASSWORD, "10.0.1.1").status_code == 200
