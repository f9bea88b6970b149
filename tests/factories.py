"""Test-data builders that go through the services, as the app would."""

from __future__ import annotations

import itertools
import re

from spaces.accounts import services as accounts
from spaces.db import transaction
from spaces.organisations import services as organisations

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(
    email: str | None = None, name: str | None = None, password: str = PASSWORD, **fields
):
    n = next(_counter)
    with transaction():
        user = accounts.register_user(
            email or f"user{n}@example.org", password, name or f"User {n}"
        )
        for key, value in fields.items():
            setattr(user, key, value)
    return user


def make_organisation(owner, name: str | None = None, kind: str = "coworking"):
    with transaction():
        return organisations.create_organisation(
            owner, name or f"Organisation {next(_counter)}", kind
        )


def api_token(user) -> str:
    with transaction():
        return accounts.create_api_token(user)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


CSRF_RE = re.compile(r'name="(?P<name>(?:[\w-]+-)?csrf_token)"[^>]*value="(?P<value>[^"]+)"')


def csrf_from(html: str, name: str = "csrf_token") -> str:
    for match in CSRF_RE.finditer(html):
        if match["name"] == name:
            return match["value"]
    raise AssertionError(f"no {name} in the page")


def post_form(
    client, url: str, data: dict, *, page: str | None = None, prefix: str | None = None, **kwargs
):
    """GET the page (or ``page``), take its CSRF token, and POST the form like a browser."""
    html = client.get(page or url).get_data(as_text=True)
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    payload = {name: csrf_from(html, name)}
    payload.update(
        {
            (f"{prefix}-{k}" if prefix and k not in {"action", "next"} else k): v
            for k, v in data.items()
        }
    )
    return client.post(url, data=payload, **kwargs)


def log_in(client, email: str, password: str = PASSWORD):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
