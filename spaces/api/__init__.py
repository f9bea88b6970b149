"""The JSON API, version 1 (shared/API.md is the contract).

One blueprint at /api/v1 (``core``), one module per resource; ``register_modules`` attaches them.
"""

from __future__ import annotations

from spaces.api.core import bp

__all__ = ["bp", "register_modules"]


def register_modules() -> None:
    """Import the resource modules so their routes attach to the blueprint."""
    from spaces.api import (  # noqa: F401
        auth,
        availability,
        bookings,
        calendar_imports,
        calendars,
        calls,
        employers,
        observatory,
        openapi,
        organisations,
        photos,
        search,
        spaces,
        units,
    )
