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
    hashed = accounts.new_password(password)
    with transaction():
        user = accounts.register_user(email or f"user{n}@example.org", hashed, name or f"User {n}")
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


def make_space(owner, organisation=None, publish: bool = True, units: int = 1, **fields):
    """A space in Tours (or ``fields``) with ``units`` desk pools, published by default."""
    from spaces.listings import services as listings

    organisation = organisation or make_organisation(owner)
    data = {
        "organisation_id": organisation.id,
        "name": fields.pop("name", f"Espace {next(_counter)}"),
        "kind": fields.pop("kind", "coworking"),
        "commune": fields.pop("commune", "Tours"),
        "postal_code": fields.pop("postal_code", "37000"),
        "address": fields.pop("address", "1 rue Nationale"),
        "latitude": fields.pop("latitude", 47.3941),
        "longitude": fields.pop("longitude", 0.6848),
        "timezone": fields.pop("timezone", "Europe/Paris"),
        "services": fields.pop("services", ["wifi"]),
        **fields,
    }
    with transaction():
        space = listings.create_space(owner, data, None)
    for _ in range(units):
        make_unit(owner, space)
    if publish:
        with transaction():
            listings.publish_space(owner, space)
    return space


def make_unit(owner, space, **fields):
    from spaces.listings import services as listings

    data = {
        "name": fields.pop("name", f"Postes {next(_counter)}"),
        "kind": fields.pop("kind", "desk_pool"),
        "capacity": fields.pop("capacity", 3),
        "prices": fields.pop("prices", {"hour": 400, "half_day": 1500, "day": 2500, "month": None}),
        "booking_mode": fields.pop("booking_mode", "instant"),
        **fields,
    }
    with transaction():
        return listings.create_unit(owner, space, data)


def set_hours(owner, target, windows=None):
    """Weekly windows for a space or unit; by default Monday–Friday 8:00–19:00."""
    from spaces.availability import services as availability
    from spaces.availability.hours import Window

    if windows is None:
        windows = [Window(day, 8 * 60, 19 * 60) for day in range(5)]
    with transaction():
        availability.set_opening_hours(owner, target, windows)


def make_bookable(owner, *units: dict, windows=None, **space_fields):
    """A published space with these units (``make_unit`` fields each; one 3-seat desk pool by
    default) open by ``windows`` (Monday–Friday 8:00–19:00 by default). Returns (space, units)."""
    from spaces.listings import services as listings

    space = make_space(owner, units=0, publish=False, **space_fields)
    made = [make_unit(owner, space, **fields) for fields in (units or ({},))]
    set_hours(owner, space, windows)
    with transaction():
        listings.publish_space(owner, space)
    return space, made


HOST_EMAIL = "host@example.org"
BOOKER_EMAIL = "camille@example.org"


def make_world(
    windows=None, *, locale: str | None = None, people: dict | None = None, **space_fields
) -> dict:
    """The usual cast: "La Cantine" in Tours, published, with the "Open space" desk pool (3 seats,
    instant) and the "Salle Loire" meeting room (8 people, on request, 25 €/h), open by
    ``windows`` (Monday–Friday 8:00–19:00 by default); its host Léa Hôte and the booker Camille
    Martin (``locale`` is hers), each with an API token.

    ``people`` adds users, ``{key: (email, name, locale)}``, each with its token under ``key``.
    Returns host, booker and space (objects), organisation, pool and room (ids), and the
    ``Authorization`` headers: h (host), b (booker) and one per added person.
    """
    host = make_user(HOST_EMAIL, name="Léa Hôte")
    booker = make_user(BOOKER_EMAIL, name="Camille Martin", locale=locale)
    others = {
        key: make_user(email, name=name, locale=their_locale)
        for key, (email, name, their_locale) in (people or {}).items()
    }
    space, (pool, room) = make_bookable(
        host,
        {"name": "Open space", "capacity": 3},
        {
            "name": "Salle Loire",
            "kind": "meeting_room",
            "capacity": 8,
            "booking_mode": "request",
            "prices": {"hour": 2500},
        },
        windows=windows,
        **{"name": "La Cantine", **space_fields},
    )
    return {
        "host": host,
        "booker": booker,
        "space": space,
        "organisation": space.organisation_id,
        "pool": pool.id,
        "room": room.id,
        "h": bearer(api_token(host)),
        "b": bearer(api_token(booker)),
        **{key: bearer(api_token(user)) for key, user in others.items()},
    }
