"""Flask extensions, created unbound and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from spaces.db import db

__all__ = ["babel", "csrf", "db", "limiter", "login_manager", "migrate", "search_limit"]

migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)


def search_limit():
    """One rate limit shared by the search page and the search API, for visitors only.

    A dated search walks the availability of many units: anonymous callers get
    ``SEARCH_RATE_LIMIT`` per address; signed-in people (session or token) are not limited."""
    from flask import current_app
    from flask_login import current_user

    return limiter.shared_limit(
        lambda: current_app.config["SEARCH_RATE_LIMIT"],
        scope="search",
        exempt_when=lambda: current_user.is_authenticated,
    )
