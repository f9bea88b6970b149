"""Configuration read from the environment, with safe defaults for a laptop.

With nothing set, Spaces runs on SQLite in the instance folder, with the offline geocoder, an
in-process event broker and mail written to the console. The variable names are fixed by the API
contract (shared/API.md); operators' scripts rely on them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta

log = logging.getLogger(__name__)

DEV_SECRET_KEY = "dev-only-not-secret"
ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """The configuration cannot run: the message says which variable to set."""


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def normalise_database_url(url: str) -> str:
    """Let operators write postgres:// or postgresql:// and still get the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(environ: Mapping[str, str], instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables.

    Raises ConfigError when production is asked for without a SECRET_KEY or with an unknown
    environment name.
    """
    env = environ.get("SPACES_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"SPACES_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    secret = environ.get("SECRET_KEY", "")
    if not secret:
        if env == "production":
            raise ConfigError("SECRET_KEY must be set when SPACES_ENV=production.")
        secret = DEV_SECRET_KEY
        if env == "development":
            log.warning(
                "SECRET_KEY is not set: using a development key. Never do this in production."
            )
    database_url = environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(
        instance_path, "spaces.sqlite3"
    )
    redis_url = environ.get("REDIS_URL") or None
    production = env == "production"
    config = {
        "SPACES_ENV": env,
        "SECRET_KEY": secret,
        "DEBUG": False,
        "TESTING": env == "testing",
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "GEOCODER": environ.get("GEOCODER", "offline") or "offline",
        "GEOCODER_USER_AGENT": environ.get("GEOCODER_USER_AGENT", "spaces-marketplace"),
        "MAIL_OUTBOX_DIR": environ.get("MAIL_OUTBOX_DIR") or None,
        "SMTP_URL": environ.get("SMTP_URL") or None,
        "MAIL_FROM": environ.get("MAIL_FROM", "Spaces <no-reply@spaces.localhost>"),
        "RATELIMIT_ENABLED": _flag(environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX", "spaces"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "CALENDAR_IMPORT_ALLOW_PRIVATE": _flag(environ.get("CALENDAR_IMPORT_ALLOW_PRIVATE"), False),
        # Tests: calendar fetches may reach only loopback, with no DNS look-up at all.
        "CALENDAR_IMPORT_LOOPBACK_ONLY": _flag(environ.get("CALENDAR_IMPORT_LOOPBACK_ONLY"), False),
        # Map tiles: OpenStreetMap by default; any {z}/{x}/{y} tile server (or a local one).
        "MAP_TILE_URL": environ.get("MAP_TILE_URL")
        or "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
        "MAP_TILE_ATTRIBUTION": environ.get("MAP_TILE_ATTRIBUTION")
        or '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
        "SERVER_NAME": environ.get("SERVER_NAME") or None,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        "PERMANENT_SESSION_LIFETIME": timedelta(days=14),
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "LANGUAGES": ("fr", "en"),
        "PASSWORD_RESET_MAX_AGE": 3600,
        "INVITATION_MAX_AGE_DAYS": 14,
        # argon2id costs; tests lower them, production keeps the library's defaults.
        "ARGON2_TIME_COST": 3,
        "ARGON2_MEMORY_COST": 65536,
        "TRUST_PROXY": production,
        "STREAMS_PER_CLIENT": int(environ.get("STREAMS_PER_CLIENT", "20")),
        "STREAM_HEARTBEAT_SECONDS": float(environ.get("STREAM_HEARTBEAT_SECONDS", "15")),
        "STREAM_MAX_SECONDS": float(environ.get("STREAM_MAX_SECONDS", "300")),
        "STREAM_RETRY_MS": 3000,
        "BOOKING_REQUEST_TTL_HOURS": 48,
        # The domain in calendar UIDs: set it once and never change it (subscribed calendars
        # would show every booking twice). Defaults to MAIL_FROM's domain.
        "CALENDAR_UID_DOMAIN": environ.get("CALENDAR_UID_DOMAIN") or None,
    }
    # argon2id costs for a slower or a bigger machine (time passes, memory in KiB).
    for key in ("ARGON2_TIME_COST", "ARGON2_MEMORY_COST"):
        if environ.get(key):
            try:
                config[key] = int(environ[key])
            except ValueError:
                raise ConfigError(f"{key} must be a whole number, not {environ[key]!r}.") from None
    return config


TEST_OVERRIDES = {
    "SPACES_ENV": "testing",
    "TESTING": True,
    "SECRET_KEY": "testing-key",
    "RATELIMIT_ENABLED": False,
    "WTF_CSRF_ENABLED": True,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "CALENDAR_IMPORT_LOOPBACK_ONLY": True,
    "MAP_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",  # tests reach no tile server
    "STREAM_HEARTBEAT_SECONDS": 1,
    "STREAM_MAX_SECONDS": 3,
}
