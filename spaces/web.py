"""Small helpers shared by the HTML views (not by services)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import redirect, request, url_for
from flask_login import current_user


def is_local_path(target: str | None) -> bool:
    """A path on this site ("/bookings/3?x=1"), never a way off it.

    Refused: anything with a scheme or a host, "//host" and "/\\host" (browsers read a
    backslash as a slash), and control characters (browsers drop tabs and newlines, so
    "/\t/host" would become "//host").
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default_endpoint: str = "main.index", **values) -> str:
    """Where to go back to: ``target`` if it is a path on this site, else the default page.

    Every ``next`` in the app goes through here, so that none is an open redirect.
    """
    if is_local_path(target):
        return target
    return url_for(default_endpoint, **values)


def redirect_back(default_endpoint: str = "main.index"):
    return redirect(
        safe_next(request.form.get("next") or request.args.get("next"), default_endpoint)
    )


def current_actor():
    """The logged-in user as a plain object for services, or None for a visitor."""
    return current_user._get_current_object() if current_user.is_authenticated else None
