"""Small helpers shared by the HTML views (not by services)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user


def safe_next(target: str | None, default_endpoint: str = "main.index") -> str:
    """A same-site path to go back to, never an open redirect."""
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for(default_endpoint)


def redirect_back(default_endpoint: str = "main.index"):
    return redirect(
        safe_next(request.form.get("next") or request.args.get("next"), default_endpoint)
    )


def current_actor():
    """The logged-in user as a plain object for services, or None for a visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None
