"""Linked units on the pages: the unit form's "Part of" list, its refusals next to the field, and
the space page saying which units a building includes and which one an office is part of."""

from __future__ import annotations

import re
from html import unescape

import sqlalchemy as sa

from spaces.extensions import db
from spaces.listings.models import Unit
from tests.factories import log_in, make_bookable, make_unit, make_user, post_form

OFFICE_FORM = {
    "name": "Bureau 1",
    "kind": "office",
    "capacity": "2",
    "prices-hour": "15",
    "booking_mode": "instant",
}


def html_of(response) -> str:
    return response.get_data(as_text=True)


def _family(locale: str = "en"):
    host = make_user(email="host@example.org", locale=locale)
    space, (building, pool) = make_bookable(
        host,
        {"name": "Local entier", "kind": "whole_premises", "capacity": 15},
        {"name": "Open space", "capacity": 6},
    )
    return host, space, building, pool


def _options(html: str) -> list[str]:
    select = re.search(r'<select id="part_of" name="part_of"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no part_of list"
    return [unescape(text).strip() for text in re.findall(r"<option[^>]*>([^<]*)<", select[1])]


def test_a_host_adds_an_office_inside_the_building(client, app_ctx):
    _host, space, building, _pool = _family()
    log_in(client, "host@example.org")
    form = html_of(client.get(f"/spaces/{space.id}/units/new"))
    assert '<label for="part_of">Part of</label>' in form
    # Only units booked whole can hold parts: the building, not the desk pool.
    assert _options(form) == ["Nothing: it is booked on its own", "Local entier"]

    response = post_form(
        client, f"/spaces/{space.id}/units/new", {**OFFICE_FORM, "part_of": str(building.id)}
    )
    assert response.status_code == 302, response.headers.get("Location")
    db.session.rollback()  # the test's read transaction would not see the request's write
    office = db.session.scalar(sa.select(Unit).where(Unit.name == "Bureau 1"))
    assert office.part_of == building.id
    edit = html_of(client.get(f"/spaces/{space.id}/units/{office.id}/edit"))
    assert f'<option value="{building.id}" selected>' in edit

    page = html_of(client.get(f"/spaces/{space.id}"))
    includes = re.search(r'data-testid="unit-parts">(.*?)</p>', page, re.S)[1]
    assert "Includes:" in includes and f'href="#unit-{office.id}">Bureau 1<' in includes
    part_of = re.search(r'data-testid="unit-part-of">(.*?)</p>', page, re.S)[1]
    assert "Part of:" in part_of and f'href="#unit-{building.id}">Local entier<' in part_of


def test_a_refused_parent_is_said_next_to_the_field_and_nothing_is_added(client, app_ctx):
    host, space, building, pool = _family(locale="fr")
    office = make_unit(host, space, name="Bureau 2", kind="office", part_of=building.id)
    log_in(client, "host@example.org")
    form = html_of(client.get(f"/spaces/{space.id}/units/new"))
    assert '<label for="part_of">Fait partie de</label>' in form
    for refused in (pool.id, office.id):  # a desk pool; a part itself (forged values)
        response = post_form(
            client, f"/spaces/{space.id}/units/new", {**OFFICE_FORM, "part_of": str(refused)}
        )
        assert response.status_code == 422
        html = html_of(response)
        error = re.search(r'<small id="part_of-error" class="field-error">([^<]*)<', html)
        assert error and error[1].strip(), html[:2000]
        assert 'aria-invalid="true"' in re.search(r"<select id=\"part_of\"[^>]*>", html)[0]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Unit)) == 3
    page = html_of(client.get(f"/spaces/{space.id}"))
    assert "Comprend :" in page and "Fait partie de :" in page
