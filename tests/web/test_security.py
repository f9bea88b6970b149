"""Hardening through HTTP: links from BASE_URL, forwarded headers, security headers, the secret
key kept in the instance folder, safe ``next`` redirects, cookie flags, CSV cells, dev outbox."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pytest

from spaces import create_app
from spaces.extensions import db
from tests.conftest import IsolatedClient, Outbox, app_config
from tests.factories import PASSWORD, csrf_from, log_in, make_bookable, make_user, post_form

BASE_URL = "https://spaces.example.org"
PRODUCTION = {
    "SPACES_ENV": "production",
    "SECRET_KEY": "p" * 48,
    "BASE_URL": BASE_URL,
    "TESTING": False,
    "WTF_CSRF_SSL_STRICT": True,
}


@pytest.fixture
def other_app(app, database, tmp_path):
    """Build another app on the test's database (the ``app`` fixture empties it afterwards)."""
    made = []

    def build(instance: Path | None = None, **extra):
        application = create_app(
            app_config(database.url, instance or tmp_path / "other-instance", **extra)
        )
        application.test_client_class = IsolatedClient
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


def forgot_password(client, email: str, base_url: str = "http://localhost", **headers):
    """The reset form, sent like a browser (HTTPS needs a same-site Referer for CSRF)."""
    page = client.get("/password/forgot", base_url=base_url, headers=headers)
    token = csrf_from(page.get_data(as_text=True))
    referer = {"Referer": f"{base_url}/password/forgot"}
    return client.post(
        "/password/forgot",
        data={"csrf_token": token, "email": email},
        base_url=base_url,
        headers={**headers, **referer},
    )


def reset_links(outbox: Outbox, to: str) -> list[str]:
    return [u for u in outbox.links(outbox.last(to)) if "/password/reset/" in u]


# --- links in mail come from BASE_URL, never from the request ---------------------------------


def test_a_reset_requested_with_a_forged_host_links_to_the_configured_site(
    app, app_ctx, outbox, other_app, outbox_dir
):
    make_user("camille@example.org")
    site = other_app(BASE_URL=BASE_URL, MAIL_OUTBOX_DIR=str(outbox_dir))
    response = forgot_password(site.test_client(), "camille@example.org", Host="evil.example")
    assert response.status_code == 302
    [link] = reset_links(outbox, "camille@example.org")
    assert link.startswith(f"{BASE_URL}/password/reset/")


def test_production_ignores_x_forwarded_host_in_mailed_links(
    app, app_ctx, outbox, other_app, outbox_dir
):
    make_user("camille@example.org")
    site = other_app(**PRODUCTION, MAIL_OUTBOX_DIR=str(outbox_dir))
    response = forgot_password(
        site.test_client(),
        "camille@example.org",
        base_url="https://localhost",
        **{"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    [link] = reset_links(outbox, "camille@example.org")
    assert link.startswith(f"{BASE_URL}/password/reset/")


def test_api_urls_use_base_url_whatever_the_host(client, app, app_ctx):
    host = make_user()
    space, _ = make_bookable(host)
    app.config["BASE_URL"] = BASE_URL
    answer = client.get(f"/api/v1/spaces/{space.id}", headers={"Host": "evil.example"})
    assert answer.get_json()["url"] == f"{BASE_URL}/spaces/{space.id}"


def _remote_addresses(caplog) -> list[str]:
    return [
        json.loads(r.getMessage())["remote"]
        for r in caplog.records
        if r.name == "spaces.requests" and r.getMessage().startswith("{")
    ]


def test_forwarded_for_is_trusted_in_production_only(app, other_app, caplog):
    caplog.set_level(logging.INFO, logger="spaces.requests")
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    other_app(**PRODUCTION).test_client().get("/healthz", headers=forwarded)
    assert _remote_addresses(caplog) == ["203.0.113.9"]
    caplog.clear()
    app.test_client().get("/healthz", headers=forwarded)
    assert _remote_addresses(caplog) == ["127.0.0.1"]
    caplog.clear()
    other_app(PROXY_FIX=1).test_client().get("/healthz", headers=forwarded)
    assert _remote_addresses(caplog) == ["203.0.113.9"]


# --- security headers on every response -------------------------------------------------------


def _assert_security_headers(response, where: str):
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives.get("script-src") == "'self'", where
    assert directives.get("default-src") == "'self'", where
    assert directives.get("frame-ancestors") == "'none'", where
    assert directives.get("object-src") == "'none'", where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    # Map tiles come from the configured tile server (TEST_OVERRIDES: 127.0.0.1:9).
    assert "http://127.0.0.1:9" in directives.get("img-src", "").split(), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where


def test_every_kind_of_response_carries_the_security_headers(client, app_ctx):
    host = make_user("host@example.org")
    space, _ = make_bookable(host)
    token = client.post(
        "/api/v1/auth/token", json={"email": "host@example.org", "password": PASSWORD}
    ).get_json()["token"]
    feed = client.post(
        "/api/v1/calendar-tokens",
        json={"scope": "me"},
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()["url"]
    responses = {
        "home page": client.get("/"),
        "search page": client.get("/search"),
        "space page": client.get(f"/spaces/{space.id}"),
        "login page": client.get("/login"),
        "redirect": client.get("/bookings"),
        "page 404": client.get("/no-such-page"),
        "page 405": client.delete("/login"),
        "API": client.get("/api/v1/spaces"),
        "API 404": client.get("/api/v1/spaces/999999"),
        "API 401": client.get("/api/v1/me"),
        "static": client.get("/static/css/app.css"),
        "static 404": client.get("/static/nothing.css"),
        "feed": client.get("/calendars/" + feed.rpartition("/calendars/")[2]),
        "CSV": client.get("/api/v1/spaces.csv"),
        "health": client.get("/healthz"),
    }
    assert responses["page 404"].status_code == 404
    assert responses["feed"].mimetype == "text/calendar"
    for where, response in responses.items():
        _assert_security_headers(response, where)
        assert "Strict-Transport-Security" not in response.headers, where


def test_production_adds_hsts(app, other_app):
    response = other_app(**PRODUCTION).test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    _assert_security_headers(response, "production home page")


def test_the_default_tile_server_is_allowed_for_images():
    from spaces.config import load_config
    from spaces.security import content_security_policy

    policy = content_security_policy(load_config({}, "/tmp")["MAP_TILE_URL"])
    assert "img-src 'self' data: https://*.tile.openstreetmap.org;" in policy


# --- the secret key kept in the instance folder -----------------------------------------------


def test_a_session_survives_a_restart_with_the_same_instance_folder(
    app, app_ctx, other_app, tmp_path, monkeypatch
):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    make_user("camille@example.org")
    instance = tmp_path / "kept"
    first = other_app(instance, SECRET_KEY=None)
    client = first.test_client()
    log_in(client, "camille@example.org")
    assert client.get("/account").status_code == 200
    restarted = other_app(instance, SECRET_KEY=None)
    assert restarted.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    client.application = restarted  # same browser cookies, new process
    assert client.get("/account").status_code == 200
    elsewhere = other_app(tmp_path / "another", SECRET_KEY=None)
    assert elsewhere.config["SECRET_KEY"] != first.config["SECRET_KEY"]
    client.application = elsewhere  # another install does not accept this cookie
    assert client.get("/account").status_code == 302


# --- next: same-site paths only ---------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example",
    "https://evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "evil.example",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_the_site(client, app_ctx, target):
    make_user("camille@example.org")
    response = post_form(
        client,
        "/login",
        {"email": "camille@example.org", "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_goes_back_to_a_page_of_the_site(client, app_ctx):
    make_user("camille@example.org")
    response = post_form(
        client,
        "/login",
        {"email": "camille@example.org", "password": PASSWORD, "next": "/bookings?page=2"},
    )
    assert response.headers["Location"] == "/bookings?page=2"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_booking_actions_never_redirect_off_the_site(client, app_ctx, target):
    host = make_user("host@example.org")
    _space, (pool,) = make_bookable(host)
    make_user("camille@example.org")
    log_in(client, "camille@example.org")
    booked = post_form(
        client,
        f"/units/{pool.id}/book",
        {"unit_id": pool.id, "start": "2027-03-01T09:00", "end": "2027-03-01T13:00", "seats": "1"},
    )
    assert booked.status_code == 302, booked.get_data(as_text=True)[:1000]
    detail = booked.headers["Location"]
    response = post_form(client, f"{detail}/cancel", {"scope": "one", "next": target}, page=detail)
    assert response.status_code == 302
    assert response.headers["Location"] == detail


# --- cookies ----------------------------------------------------------------------------------


def test_the_remember_me_cookie_is_same_site_lax_and_http_only(client, app_ctx):
    make_user("camille@example.org")
    response = post_form(
        client, "/login", {"email": "camille@example.org", "password": PASSWORD, "remember": "y"}
    )
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_")]
    assert "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_production_remember_me_cookie_is_secure(app, app_ctx, other_app):
    make_user("camille@example.org")
    client = other_app(**PRODUCTION).test_client()
    page = client.get("/login", base_url="https://localhost")
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_from(page.get_data(as_text=True)),
            "email": "camille@example.org",
            "password": PASSWORD,
            "remember": "y",
        },
        base_url="https://localhost",
        headers={"Referer": "https://localhost/login"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    [cookie] = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_")]
    assert "Secure" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie


# --- CSV cells --------------------------------------------------------------------------------


def test_open_data_csv_neutralises_formulas_but_keeps_negative_numbers(client, app_ctx):
    host = make_user()
    make_bookable(
        host,
        name='=HYPERLINK("https://evil.example","Cliquez")',
        address="@SUM(1+1) rue des Tanneurs",
        longitude=-1.5536,  # Nantes: a negative longitude is data
        latitude=47.2184,
        commune="Nantes",
        postal_code="44000",
    )
    text = client.get("/api/v1/spaces.csv").get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"] == '\'=HYPERLINK("https://evil.example","Cliquez")'
    assert row["address"] == "'@SUM(1+1) rue des Tanneurs"
    assert row["longitude"] == "-1.5536"
    assert row["commune"] == "Nantes"


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+33 2 47 00 00 00", "'+33 2 47 00 00 00"),
        ("-x", "'-x"),
        ("@cmd", "'@cmd"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Tours", "Tours"),
        (-1.5, -1.5),
        (-3, -3),
        (None, None),
    ],
)
def test_csv_cell(value, written):
    from spaces.exports import csv_cell

    assert csv_cell(value) == written


# --- development mail goes to the instance outbox, one log line each -------------------------


def test_development_writes_mail_to_the_instance_outbox_and_logs_one_line(
    app, app_ctx, other_app, tmp_path, caplog, monkeypatch
):
    monkeypatch.delenv("MAIL_OUTBOX_DIR", raising=False)
    monkeypatch.delenv("SMTP_URL", raising=False)
    make_user("camille@example.org")
    instance = tmp_path / "dev-instance"
    site = other_app(instance, SPACES_ENV="development")
    caplog.set_level(logging.INFO, logger="spaces.mail")
    assert forgot_password(site.test_client(), "camille@example.org").status_code == 302
    outbox = Outbox(instance / "outbox")
    [message] = outbox.messages()
    assert str(message["To"]) == "camille@example.org"
    [line] = [r.getMessage() for r in caplog.records if r.name == "spaces.mail"]
    assert "camille@example.org" in line and str(instance / "outbox") in line
    assert str(message["Subject"]) in line
    assert "\n" not in line and "/password/reset/" not in line  # not the message itself


def test_the_site_has_an_icon(client, app_ctx):
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert client.get("/static/favicon.svg").status_code == 200
    old = client.get("/favicon.ico")
    assert old.status_code == 301 and old.headers["Location"].endswith("/static/favicon.svg")
