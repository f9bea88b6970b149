"""Hostile or unlucky input never makes a 500: control characters in names, absurd ids, deep JSON."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from spaces.extensions import db
from spaces.listings.models import Space
from tests.factories import (
    api_token,
    bearer,
    make_bookable,
    make_organisation,
    make_space,
    make_user,
)

# Each of these ends a line somewhere: in a mail header, in a calendar, on a one-line display.
BREAKERS = ["\r", "\n", "\x0b", "\x85", "\u2028", "\u2029", "\x1c", "\x7f"]


@pytest.fixture
def host(app_ctx):
    user = make_user("host@example.org")
    organisation = make_organisation(user, "Ville de Loches", "municipality")
    return {"user": user, "org": organisation, "h": bearer(api_token(user))}


def _new_space(**fields):
    return {
        "name": "Ancienne perception",
        "kind": "vacant_public",
        "commune": "Loches",
        "postal_code": "37600",
        **fields,
    }


@pytest.mark.parametrize("breaker", BREAKERS)
def test_a_name_with_a_control_character_is_a_422_naming_the_field(client, host, breaker):
    payload = _new_space(organisation_id=host["org"].id, name=f"Salle{breaker}Loire")
    created = client.post("/api/v1/spaces", json=payload, headers=host["h"])
    assert created.status_code == 422, created.get_json()
    assert list(created.get_json()["error"]["fields"]) == ["name"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Space)) == 0

    organisation = client.post(
        "/api/v1/organisations",
        json={"name": f"Tiers{breaker}lieu", "kind": "coworking"},
        headers=host["h"],
    )
    assert organisation.status_code == 422
    assert "name" in organisation.get_json()["error"]["fields"]


def test_patching_a_name_with_a_line_separator_is_refused_and_changes_nothing(client, host):
    space = client.post(
        "/api/v1/spaces", json=_new_space(organisation_id=host["org"].id), headers=host["h"]
    ).get_json()
    patched = client.patch(
        f"/api/v1/spaces/{space['id']}", json={"name": "Nouveau\u2028nom"}, headers=host["h"]
    )
    assert patched.status_code == 422
    assert "name" in patched.get_json()["error"]["fields"]
    again = client.get(f"/api/v1/spaces/{space['id']}", headers=host["h"]).get_json()
    assert again["name"] == "Ancienne perception"


def test_descriptions_keep_their_line_breaks_and_tabs(client, host):
    description = "Première ligne\r\n\tdeuxième ligne\navec une tabulation"
    payload = _new_space(organisation_id=host["org"].id, description=description)
    created = client.post("/api/v1/spaces", json=payload, headers=host["h"])
    assert created.status_code == 201, created.get_json()
    bell = client.post(
        "/api/v1/spaces",
        json=_new_space(organisation_id=host["org"].id, description="Ding\x07"),
        headers=host["h"],
    )
    assert bell.status_code == 422
    assert "description" in bell.get_json()["error"]["fields"]


def test_a_space_already_named_with_control_characters_can_still_be_booked(client, app_ctx, outbox):
    host = make_user("host@example.org")
    booker = make_user("camille@example.org")
    space, (unit,) = make_bookable(host, name="La Cantine")
    # Stored before names were checked (or by another way): the mail must still leave.
    with db.engine.begin() as conn:
        conn.execute(
            sa.update(Space)
            .where(Space.id == space.id)
            .values(name="La\rCantine\x0b\x85\u2028de\x1cTours")
        )
    response = client.post(
        "/api/v1/bookings",
        json={"unit_id": unit.id, "start": "2027-03-01T09:00", "end": "2027-03-01T12:00"},
        headers=bearer(api_token(booker)),
    )
    assert response.status_code == 201, response.get_json()
    subject = str(outbox.last("camille@example.org")["Subject"])
    assert "La Cantine de Tours" in subject
    assert outbox.last("host@example.org")


# --- absurd ids --------------------------------------------------------------------------------

HUGE = 2**70


def test_ids_beyond_64_bits_in_json_bodies_are_404(client, host):
    space = make_space(host["user"], host["org"])
    unit = space.units[0]
    token = host["h"]
    cases = [
        ("/api/v1/spaces", _new_space(organisation_id=HUGE)),
        (
            "/api/v1/bookings",
            {"unit_id": HUGE, "start": "2027-03-01T09:00", "end": "2027-03-01T10:00"},
        ),
        (
            "/api/v1/bookings",
            {
                "unit_id": unit.id,
                "start": "2027-03-01T09:00",
                "end": "2027-03-01T10:00",
                "sponsor_organisation_id": HUGE,
            },
        ),
        ("/api/v1/calendar-tokens", {"scope": "unit", "id": HUGE}),
        ("/api/v1/calendar-tokens", {"scope": "space", "id": -HUGE}),
    ]
    for url, payload in cases:
        response = client.post(url, json=payload, headers=token)
        assert response.status_code == 404, (url, payload, response.get_json())
        assert response.get_json()["error"]["code"] == "not_found"


def test_ids_beyond_64_bits_in_paths_are_404(client, host):
    for path in (
        f"/api/v1/organisations/{HUGE}",
        f"/api/v1/organisations/{HUGE}/members",
        f"/api/v1/spaces/{HUGE}",
        f"/api/v1/units/{HUGE}",
        f"/api/v1/bookings/{HUGE}",
    ):
        response = client.get(path, headers=host["h"])
        assert response.status_code == 404, path
    moved = client.delete(
        f"/api/v1/organisations/{host['org'].id}/members/{HUGE}", headers=host["h"]
    )
    assert moved.status_code == 404


def test_photo_order_with_absurd_ids_is_refused_cleanly(client, host):
    space = make_space(host["user"], host["org"])
    response = client.put(
        f"/api/v1/spaces/{space.id}/photos/order", json={"ids": [HUGE]}, headers=host["h"]
    )
    assert response.status_code == 422


# --- deep JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 1_000_000])
def test_json_nested_absurdly_deep_is_a_400_malformed_json(client, host, depth):
    body = "[" * depth + "]" * depth
    for url in ("/api/v1/auth/register", "/api/v1/spaces", "/api/v1/bookings"):
        response = client.post(url, data=body, content_type="application/json", headers=host["h"])
        assert response.status_code == 400, url
        assert response.get_json()["error"]["code"] == "malformed_json"
    objects = '{"a":' * depth + "1" + "}" * depth
    response = client.post(
        "/api/v1/organisations", data=objects, content_type="application/json", headers=host["h"]
    )
    assert response.status_code == 400
