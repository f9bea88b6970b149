"""Who may do what, as pure predicates."""

from __future__ import annotations

import pytest

from spaces.accounts.permissions import can_grant, can_manage, can_read


@pytest.mark.parametrize(
    ("role", "manage", "read"),
    [("owner", True, True), ("manager", True, True), ("member", False, True), (None, False, False)],
)
def test_roles(role, manage, read):
    assert can_manage(role) is manage
    assert can_read(role) is read


@pytest.mark.parametrize(
    ("actor", "target", "allowed"),
    [
        ("owner", "owner", True),
        ("owner", "member", True),
        ("manager", "manager", True),
        ("manager", "member", True),
        ("manager", "owner", False),
        ("member", "member", False),
        (None, "member", False),
    ],
)
def test_who_can_grant_which_role(actor, target, allowed):
    assert can_grant(actor, target) is allowed
