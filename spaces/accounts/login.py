"""Checking a log-in, for the page and the API alike: attempts counted first, argon2 unlocked.

``check_login`` counts the attempt, verifies the password outside any write transaction (argon2
takes tenths of a second; on SQLite a write transaction locks the whole database), and stores a
stronger hash in a short transaction of its own when the costs have changed.

A limit counted after the answer (Flask-Limiter's ``deduct_when``) lets a burst through: forty
wrong passwords sent at once were all checked before the first was counted. Here an attempt takes
its place in the counter first (one atomic increment, in Redis when ``REDIS_URL`` is set), and is
refused with a 429 when over the limit, before any password is verified; a successful log-in
gives its place back, so people who log in often are never locked out.

Two counters: per client address (``LOGIN_LIMIT``) and per account, by the e-mail address typed,
whether or not it exists (``ACCOUNT_LOGIN_LIMIT``), which trips when many addresses guess one
password. The log-in page and ``POST /api/v1/auth/token`` share both.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from limits import parse
from limits.strategies import FixedWindowRateLimiter

from spaces.accounts import services
from spaces.accounts.models import User
from spaces.accounts.services import normalise_email
from spaces.db import transaction
from spaces.errors import RateLimited
from spaces.extensions import limiter

LOGIN_LIMIT = "5 per minute"
ACCOUNT_LOGIN_LIMIT = "10 per 15 minutes"
REGISTER_LIMIT = "10 per hour"
RESET_LIMIT = "5 per 15 minutes"


def client_address() -> str:
    """The address every rate limit counts by: the peer, or X-Forwarded-For when the proxy is
    trusted (ProxyFix rewrites the peer address then)."""
    return get_remote_address()


@dataclass
class Attempt:
    """A counted log-in attempt; ``succeeded()`` gives its places back."""

    counted: list[tuple]

    def succeeded(self) -> None:
        if not self.counted:
            return
        strategy = _strategy()
        for item, identifiers in self.counted:
            strategy.hit(item, *identifiers, cost=-1)
        self.counted = []


def _strategy() -> FixedWindowRateLimiter:
    return FixedWindowRateLimiter(limiter.storage)


def login_attempt(email: str) -> Attempt:
    """Count one log-in attempt for this client and this account, before checking the password.

    Raises RateLimited (429) when either limit is reached; the refused attempt is not checked.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return Attempt([])
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "spaces"
    strategy = _strategy()
    counters = [
        (parse(LOGIN_LIMIT), (prefix, "login-client", client_address()), _client_message),
        (
            parse(ACCOUNT_LOGIN_LIMIT),
            (prefix, "login-account", normalise_email(email)[:254] or "-"),
            _account_message,
        ),
    ]
    counted = []
    for item, identifiers, message in counters:
        counted.append((item, identifiers))
        if not strategy.hit(item, *identifiers):
            reset_at = strategy.get_window_stats(item, *identifiers).reset_time
            retry = max(1, int(reset_at - time.time()) + 1)
            raise RateLimited(message(), retry_after=retry)
    return Attempt(counted)


def _client_message():
    return _l("Too many attempts. Please wait a minute and try again.")


def _account_message():
    return _l(
        "Too many failed attempts for this account. Wait a quarter of an hour, or ask for a new"
        " password."
    )


def check_login(email: str, password: str) -> User:
    """The account these credentials open; raises RateLimited (429) or Unauthorized (401)."""
    attempt = login_attempt(email)
    user = services.authenticate(email, password)  # reads only: no write lock while verifying
    attempt.succeeded()
    upgrade = services.password_upgrade(user, password)
    if upgrade is not None:
        with transaction():
            services.apply_password_upgrade(user, upgrade)
    return user
