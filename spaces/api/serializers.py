"""Explicit dict builders for API responses: nothing leaks that is not listed here."""

from __future__ import annotations

from datetime import UTC, datetime


def iso(value: datetime | None, tz=UTC) -> str | None:
    """ISO 8601 with an explicit offset (never ``Z``)."""
    if value is None:
        return None
    return value.astimezone(tz).isoformat()


def user(u) -> dict:
    return {"id": u.id, "email": u.email, "name": u.name}


def me(u) -> dict:
    return {
        **user(u),
        "locale": u.locale,
        "is_admin": u.is_admin,
        "created_at": iso(u.created_at),
        "organisations": [
            {**organisation(m.organisation), "role": m.role}
            for m in sorted(u.memberships, key=lambda m: m.organisation_id)
        ],
    }


def organisation(o) -> dict:
    return {"id": o.id, "name": o.name, "kind": o.kind}


def membership(m) -> dict:
    return {"user": user(m.user), "role": m.role, "since": iso(m.created_at)}


def invitation(i) -> dict:
    return {
        "id": i.id,
        "email": i.email,
        "role": i.role,
        "status": "invited",
        "expires_at": iso(i.expires_at),
    }
