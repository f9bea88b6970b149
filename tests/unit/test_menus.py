"""Which groups of the main menu a person sees, from their memberships (spaces/menus.py)."""

from __future__ import annotations

import pytest

from spaces.menus import Membership, MenuRoles, roles

LISTS = 1  # an organisation with at least one place
EMPTY = 2  # an organisation with none


@pytest.mark.parametrize(
    ("memberships", "admin", "expected"),
    [
        pytest.param([], False, MenuRoles(teleworker=True), id="teleworker"),
        pytest.param(
            [Membership(LISTS, "coworking", "owner")],
            False,
            MenuRoles(teleworker=True, host=True, requests=True, organisations=True),
            id="coworking owner with places",
        ),
        pytest.param(
            [Membership(EMPTY, "municipality", "manager")],
            False,
            MenuRoles(teleworker=True, host=True, organisations=True, observatory=True),
            id="municipality manager before its first place: places, observatory, no requests",
        ),
        pytest.param(
            [Membership(LISTS, "landlord", "member")],
            False,
            MenuRoles(teleworker=True, host=True, organisations=True),
            id="plain member of a landlord with places: places, no requests",
        ),
        pytest.param(
            [Membership(EMPTY, "landlord", "member")],
            False,
            MenuRoles(teleworker=True, organisations=True),
            id="plain member of a landlord without places",
        ),
        pytest.param(
            [Membership(EMPTY, "employer", "owner")],
            False,
            MenuRoles(teleworker=True, organisations=True, employer=True),
            id="employer without places: no host item",
        ),
        pytest.param(
            [Membership(LISTS, "employer", "owner")],
            False,
            MenuRoles(teleworker=True, host=True, requests=True, organisations=True, employer=True),
            id="employer that lists its own office",
        ),
        pytest.param(
            [Membership(EMPTY, "employer", "member")],
            False,
            MenuRoles(teleworker=True, organisations=True),
            id="staff of an employer: no employer pages",
        ),
        pytest.param([], True, MenuRoles(teleworker=True, admin=True), id="administrator"),
    ],
)
def test_menu_groups_follow_memberships(memberships, admin, expected):
    assert roles(memberships, {LISTS}, admin=admin) == expected
