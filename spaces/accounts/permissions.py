"""Pure predicates about who may do what. No flask, no database."""

from __future__ import annotations

MANAGING_ROLES = frozenset({"owner", "manager"})
READING_ROLES = frozenset({"owner", "manager", "member"})


def can_manage(role: str | None) -> bool:
    """Owners and managers edit an organisation's spaces and handle its bookings."""
    return role in MANAGING_ROLES


def can_read(role: str | None) -> bool:
    return role in READING_ROLES


def can_grant(actor_role: str | None, target_role: str) -> bool:
    """Owners grant any role; managers grant manager or member, never owner."""
    if actor_role == "owner":
        return True
    return actor_role == "manager" and target_role in {"manager", "member"}
