"""Account pages through HTTP: register, log in and out, reset, profile, deletion, CSRF."""

from __future__ import annotations

import sqlalchemy as sa

from spaces.accounts.models import User
from spaces.extensions import db
from tests.factories import PASSWORD, log_in, make_user, post_form


def test_register_logs_in_and_shows_name(client):
    response = post_form(
        client,
        "/register",
        {"name": "Camille", "email": "Camille@Example.org ", "password": PASSWORD},
    )
    assert response.status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "Camille" in page
    with client.application.app_context():
        user = db.session.scalar(sa.select(User))
        assert user.email == "camille@example.org"
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_register_with_taken_email_shows_error_next_to_field(client, app_ctx):
    make_user("taken@example.org")
    response = post_form(
        client, "/register", {"name": "X", "email": "taken@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="email-error"' in html
    assert "already" in html or "existe déjà" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_register_validation_messages_are_next_to_fields(client):
    response = post_form(
        client, "/register", {"name": "", "email": "not-an-email", "password": "short"}
    )
    html = response.get_data(as_text=True)
    for field in ("name", "email", "password"):
        assert f'id="{field}-error"' in html
        assert f'aria-describedby="{field}-error"' in html or f'{field}-error"' in html


def test_wrong_password_is_refused_without_saying_which(client, app_ctx):
    make_user("camille@example.org")
    response = post_form(
        client, "/login", {"email": "camille@example.org", "password": "wrong password!"}
    )
    assert response.status_code == 401
    unknown = post_form(
        client, "/login", {"email": "nobody@example.org", "password": "wrong password!"}
    )
    assert unknown.status_code == 401
    assert client.get("/account").status_code == 302  # still logged out


def test_logged_out_user_is_redirected_to_login_and_back(client, app_ctx):
    make_user("camille@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/account")
    response = post_form(
        client,
        "/login?next=/account",
        {"email": "camille@example.org", "password": PASSWORD, "next": "/account"},
    )
    assert response.headers["Location"] == "/account"


def test_login_refuses_open_redirect(client, app_ctx):
    make_user("camille@example.org")
    response = post_form(
        client,
        "/login",
        {"email": "camille@example.org", "password": PASSWORD, "next": "//evil.example/"},
    )
    assert response.headers["Location"] == "/"


def test_logout_needs_post_with_csrf(client, app_ctx):
    make_user("camille@example.org")
    log_in(client, "camille@example.org")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token
    assert client.get("/account").status_code == 200
    post_form(client, "/logout", {}, page="/")
    assert client.get("/account").status_code == 302


def test_form_without_csrf_token_is_rejected(client, app_ctx):
    response = client.post(
        "/register", data={"name": "A", "email": "a@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_password_reset_through_the_mailed_link(client, app_ctx, outbox):
    make_user("camille@example.org")
    response = post_form(client, "/password/forgot", {"email": "camille@example.org"})
    assert response.status_code == 302
    message = outbox.last("camille@example.org")
    link = next(u for u in outbox.links(message) if "/password/reset/" in u)
    path = link.split("localhost", 1)[1]
    response = post_form(
        client, path, {"password": "a brand new password", "confirm": "a brand new password"}
    )
    assert response.status_code == 302
    post_form(client, "/logout", {}, page="/")
    log_in(client, "camille@example.org", "a brand new password")
    # The link works once.
    post_form(client, "/logout", {}, page="/")
    used = client.get(path)
    assert used.status_code == 400
    assert "used" in used.get_data(as_text=True) or "utilisé" in used.get_data(as_text=True)


def test_reset_for_unknown_address_sends_nothing_and_says_the_same(client, outbox):
    response = post_form(
        client, "/password/forgot", {"email": "nobody@example.org"}, follow_redirects=True
    )
    assert response.status_code == 200
    assert len(outbox) == 0


def test_expired_reset_link_is_refused(client, app, app_ctx, outbox):
    make_user("camille@example.org")
    post_form(client, "/password/forgot", {"email": "camille@example.org"})
    link = next(u for u in outbox.links(outbox.last()) if "/password/reset/" in u)
    path = link.split("localhost", 1)[1]
    app.config["PASSWORD_RESET_MAX_AGE"] = -1  # every link, even this second's, is too old
    response = client.get(path)
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True) or "expiré" in response.get_data(
        as_text=True
    )


def test_change_password_ends_other_sessions(app, app_ctx):
    make_user("camille@example.org")
    first, second = app.test_client(), app.test_client()
    log_in(first, "camille@example.org")
    log_in(second, "camille@example.org")
    response = post_form(
        first,
        "/account",
        {
            "action": "password",
            "current_password": PASSWORD,
            "password": "another long password",
            "confirm": "another long password",
        },
        prefix="password",
    )
    assert response.status_code == 302
    assert first.get("/account").status_code == 200
    assert second.get("/account").status_code == 302


def test_change_password_with_wrong_current_password(client, app_ctx):
    make_user("camille@example.org")
    log_in(client, "camille@example.org")
    response = post_form(
        client,
        "/account",
        {
            "action": "password",
            "current_password": "not my password",
            "password": "another long password",
            "confirm": "another long password",
        },
        prefix="password",
    )
    assert response.status_code == 422
    assert 'id="password-current_password-error"' in response.get_data(as_text=True)


def test_change_email_tells_the_old_address(client, app_ctx, outbox):
    make_user("camille@example.org")
    log_in(client, "camille@example.org")
    response = post_form(
        client,
        "/account",
        {"action": "email", "email": "camille@new.example.org", "current_password": PASSWORD},
        prefix="email",
    )
    assert response.status_code == 302
    assert outbox.last("camille@example.org")
    post_form(client, "/logout", {}, page="/")
    log_in(client, "camille@new.example.org")


def test_delete_account_removes_personal_data(client, app_ctx):
    user = make_user("camille@example.org", name="Camille Martin")
    user_id = user.id
    log_in(client, "camille@example.org")
    response = post_form(
        client,
        "/account",
        {"action": "delete", "current_password": PASSWORD, "confirm": "y"},
        prefix="delete",
    )
    assert response.status_code == 302
    db.session.rollback()  # end the test's read transaction to see what the request wrote
    row = db.session.get(User, user_id)
    assert row.deleted_at is not None
    assert "camille" not in row.email and "Camille" not in row.name
    assert row.password_hash is None
    assert client.get("/account").status_code == 302
    failed = post_form(client, "/login", {"email": "camille@example.org", "password": PASSWORD})
    assert failed.status_code == 401


def test_language_follows_accept_language_then_the_switch(client):
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert '<html lang="en"' in html
    html = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="fr"' in html
    assert "Travailler près de chez soi" in html
    post_form(client, "/language", {"lang": "en", "next": "/"}, page="/")
    html = client.get("/", headers={"Accept-Language": "fr-FR"}).get_data(as_text=True)
    assert '<html lang="en"' in html
    assert "Work near home" in html


def test_nul_byte_in_a_page_form_is_not_a_server_error(client):
    response = post_form(
        client, "/register", {"name": "Nul\x00", "email": "nul@example.org", "password": PASSWORD}
    )
    assert response.status_code in (200, 302, 422)


def test_logout_ends_copies_of_the_session_and_of_the_remember_me_cookie(app, app_ctx):
    make_user("camille@example.org")
    browser = app.test_client()
    response = post_form(
        browser, "/login", {"email": "camille@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    session = browser.get_cookie("session").value
    remember = browser.get_cookie("remember_token").value
    # Someone copied the cookies (a shared computer, a stolen backup) before the owner logged out.
    both, session_only, remember_only = app.test_client(), app.test_client(), app.test_client()
    both.set_cookie("session", session)
    both.set_cookie("remember_token", remember)
    session_only.set_cookie("session", session)
    remember_only.set_cookie("remember_token", remember)
    assert session_only.get("/account").status_code == 200
    post_form(browser, "/logout", {}, page="/")
    assert browser.get("/account").status_code == 302
    for copy in (both, session_only, remember_only):
        assert copy.get("/account").status_code == 302
    # Logging in again works as before.
    log_in(browser, "camille@example.org")
    assert browser.get("/account").status_code == 200


def test_reset_link_stops_working_once_the_address_has_changed(app, app_ctx, outbox):
    make_user("camille@example.org")
    owner, old_mailbox = app.test_client(), app.test_client()
    post_form(old_mailbox, "/password/forgot", {"email": "camille@example.org"})
    link = next(
        u for u in outbox.links(outbox.last("camille@example.org")) if "/password/reset/" in u
    )
    path = link.split("localhost", 1)[1]
    assert old_mailbox.get(path).status_code == 200
    # The owner moves to a new address (whoever reads the old mailbox must lose access).
    log_in(owner, "camille@example.org")
    response = post_form(
        owner,
        "/account",
        {"action": "email", "email": "camille@new.example.org", "current_password": PASSWORD},
        prefix="email",
    )
    assert response.status_code == 302
    assert old_mailbox.get(path).status_code == 400
    refused = post_form(
        old_mailbox,
        path,
        {"password": "taken over account", "confirm": "taken over account"},
        page="/password/forgot",
    )
    assert refused.status_code == 400
    assert owner.get("/account").status_code == 200
