"""Configuration read from the environment, with safe defaults for a laptop.

With nothing set, Spaces runs on SQLite in the instance folder, with the offline geocoder, an
in-process event broker, mail written to ``instance/outbox/`` and a random secret key kept in
``instance/secret_key``. The variable names are fixed by the API contract (shared/API.md);
operators' scripts rely on them.
"""

from __future__ import annotations

import logging
import os
import secrets
import tempfile
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

ENVIRONMENTS = ("development", "production", "testing")
SECRET_KEY_FILE = "secret_key"
# Where links in mail point when BASE_URL is not set (never taken from a request's Host header).
DEFAULT_BASE_URLS = {"development": "http://127.0.0.1:5000", "testing": "http://localhost"}


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


def base_url(value: str | None, env: str) -> str:
    """The site's public root for absolute links (mail, feeds, API), without a trailing slash.

    Required in production: links built from a request would trust its Host header.
    """
    if not value:
        if env == "production":
            raise ConfigError(
                "BASE_URL must be set when SPACES_ENV=production (e.g. https://spaces.example.org)."
            )
        return DEFAULT_BASE_URLS[env]
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or parts.query or parts.fragment:
        raise ConfigError(
            f"BASE_URL must be an http(s) address such as https://host, not {value!r}."
        )
    return value.strip().rstrip("/")


def proxy_hops(value: str | None, env: str) -> int:
    """How many reverse proxies in front of the app to believe X-Forwarded-For/-Proto from.

    Off unless set, except production, which runs behind nginx (one hop). X-Forwarded-Host is
    never trusted: absolute links come from BASE_URL.
    """
    if value is None or value.strip() == "":
        return 1 if env == "production" else 0
    try:
        hops = int(value)
    except ValueError:
        hops = -1
    if hops < 0:
        raise ConfigError(f"PROXY_FIX must be a number of proxies (0 for none), not {value!r}.")
    return hops


def instance_secret_key(instance_path: str) -> str:
    """The random secret key kept in the instance folder, made on first start (mode 0600).

    Several processes may start at once: the key is written to a temporary file and linked into
    place, so the first one wins and every process reads the same, complete key.
    """
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")  # mode 0600
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(tmp, path)
                log.info("made a new secret key in %s", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(tmp)
    if os.stat(path).st_mode & 0o077:
        try:
            os.chmod(path, 0o600)
        except OSError:
            log.warning("%s is readable by other users: make it mode 0600", path)
    with open(path, encoding="utf-8") as handle:
        key = handle.read().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable secret key: delete it to make a new one.")
    return key


def load_config(environ: Mapping[str, str], instance_path: str) -> dict:
    """Build the Flask config mapping from environment variables.

    Raises ConfigError when production is asked for without a SECRET_KEY or BASE_URL, or with an
    unknown environment name. Elsewhere, a missing SECRET_KEY is left None: the app factory
    takes the key kept in the instance folder (``instance_secret_key``).
    """
    env = environ.get("SPACES_ENV", "development").strip() or "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"SPACES_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    secret = environ.get("SECRET_KEY", "") or None
    if not secret and env == "production":
        raise ConfigError("SECRET_KEY must be set when SPACES_ENV=production.")
    smtp_url = environ.get("SMTP_URL") or None
    outbox = environ.get("MAIL_OUTBOX_DIR") or None
    if outbox is None and smtp_url is None and env == "development":
        outbox = os.path.join(instance_path, "outbox")
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
        # No pool_pre_ping: spaces.db pings a pooled connection only after it sat idle.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "REDIS_URL": redis_url,
        "GEOCODER": environ.get("GEOCODER", "offline") or "offline",
        "GEOCODER_USER_AGENT": environ.get("GEOCODER_USER_AGENT", "spaces-marketplace"),
        "MAIL_OUTBOX_DIR": outbox,
        "SMTP_URL": smtp_url,
        "MAIL_FROM": environ.get("MAIL_FROM", "Spaces <no-reply@spaces.localhost>"),
        "RATELIMIT_ENABLED": _flag(environ.get("RATELIMIT_ENABLED"), True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": environ.get("RATELIMIT_KEY_PREFIX", "spaces"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "SEARCH_RATE_LIMIT": environ.get("SEARCH_RATE_LIMIT", "60 per minute"),
        "CALENDAR_IMPORT_ALLOW_PRIVATE": _flag(environ.get("CALENDAR_IMPORT_ALLOW_PRIVATE"), False),
        # Tests: calendar fetches may reach only loopback, with no DNS look-up at all.
        "CALENDAR_IMPORT_LOOPBACK_ONLY": _flag(environ.get("CALENDAR_IMPORT_LOOPBACK_ONLY"), False),
        # Map tiles: OpenStreetMap by default; any {z}/{x}/{y} tile server (or a local one).
        "MAP_TILE_URL": environ.get("MAP_TILE_URL")
        or "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
        # HTML; without it, OpenStreetMap's, in the page's language.
        "MAP_TILE_ATTRIBUTION": environ.get("MAP_TILE_ATTRIBUTION") or None,
        "SERVER_NAME": environ.get("SERVER_NAME") or None,
        "BASE_URL": base_url(environ.get("BASE_URL"), env),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
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
        "PROXY_FIX": proxy_hops(environ.get("PROXY_FIX"), env),
        # Strict-Transport-Security: production only (served over TLS by the proxy).
        "HSTS": production,
        "STREAMS_PER_CLIENT": int(environ.get("STREAMS_PER_CLIENT", "20")),
        "STREAM_HEARTBEAT_SECONDS": float(environ.get("STREAM_HEARTBEAT_SECONDS", "15")),
        "STREAM_MAX_SECONDS": float(environ.get("STREAM_MAX_SECONDS", "300")),
        "STREAM_RETRY_MS": 3000,
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
    "BASE_URL": "http://localhost",
    "RATELIMIT_ENABLED": False,
    "WTF_CSRF_ENABLED": True,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 1024,
    "CALENDAR_IMPORT_LOOPBACK_ONLY": True,
    "MAP_TILE_URL": "http://127.0.0.1:9/tiles/{z}/{x}/{y}.png",  # tests reach no tile server
    "STREAM_HEARTBEAT_SECONDS": 1,
    "STREAM_MAX_SECONDS": 3,
}
