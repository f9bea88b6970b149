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
        "home_commune": u.home_commune,
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


def _date(value) -> str | None:
    return value.isoformat() if value else None


def space(s, *, include_units: bool = True, url: str | None = None) -> dict:
    data = {
        "id": s.id,
        "organisation_id": s.organisation_id,
        "organisation": {"id": s.organisation.id, "name": s.organisation.name},
        "name": s.name,
        "kind": s.kind,
        "description": s.description,
        "address": s.address,
        "postal_code": s.postal_code,
        "commune": s.commune,
        "insee_code": s.insee_code,
        "latitude": s.latitude,
        "longitude": s.longitude,
        "timezone": s.timezone,
        "services": s.services,
        "accessibility": s.accessibility,
        "house_rules": s.house_rules,
        "contact_email": s.contact_email,
        "contact_phone": s.contact_phone,
        "status": s.status,
        "available_from": _date(s.available_from),
        "available_until": _date(s.available_until),
        "capacity_cap_percent": s.capacity_cap_percent,
        "closed_on_public_holidays": s.closed_on_public_holidays,
        "photos": [photo(p) for p in s.photos],
        "url": url,
    }
    if include_units:
        data["units"] = [unit(u) for u in s.units if u.active]
    return data


def unit(u, parts: list[int] | None = None) -> dict:
    """A unit; ``parts`` (the ids of the units that are part of it) when given."""
    data = {
        "id": u.id,
        "space_id": u.space_id,
        "name": u.name,
        "kind": u.kind,
        "description": u.description,
        "capacity": u.capacity,
        "effective_capacity": u.effective_capacity,
        "prices": u.prices,
        "currency": u.currency,
        "booking_mode": u.booking_mode,
        "min_minutes": u.min_minutes,
        "max_minutes": u.max_minutes,
        "notice_minutes": u.notice_minutes,
        "cancel_until_minutes": u.cancel_until_minutes,
        "min_term_days": u.min_term_days,
        "max_term_days": u.max_term_days,
        "request_expiry_hours": u.request_expiry_hours,
        "own_hours": u.own_hours,
        "active": u.active,
        "part_of": u.part_of,
    }
    if parts is not None:
        data["parts"] = parts
    return data


def photo(p) -> dict:
    from flask import url_for

    return {
        "id": p.id,
        "position": p.position,
        "width": p.width,
        "height": p.height,
        "alt": p.alt,
        "url": url_for("photos.photo_file", key=p.key, size="display"),
        "thumbnail_url": url_for("photos.photo_file", key=p.key, size="thumb"),
    }


def window(w) -> dict:
    from spaces.timeutils import format_hhmm

    return {"weekday": w.weekday, "start": format_hhmm(w.start), "end": format_hhmm(w.end)}


def closure(c, tz) -> dict:
    return {
        "id": c.id,
        "space_id": c.space_id,
        "unit_id": c.unit_id,
        "start": iso(c.start_at, tz),
        "end": iso(c.end_at, tz),
        "reason": c.reason,
    }
