"""Configuration from the environment."""

from __future__ import annotations

import pytest

from spaces.config import ConfigError, load_config


def test_defaults_run_on_sqlite_in_the_instance_folder_without_redis():
    config = load_config({}, "/srv/instance")
    assert config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////srv/instance/spaces.sqlite3"
    assert config["REDIS_URL"] is None
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"
    assert config["GEOCODER"] == "offline"
    assert config["RATELIMIT_ENABLED"] is True
    assert config["SESSION_COOKIE_SECURE"] is False


def test_production_refuses_to_start_without_secret_key():
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config({"SPACES_ENV": "production"}, "/tmp")


PRODUCTION = {
    "SPACES_ENV": "production",
    "SECRET_KEY": "x" * 40,
    "BASE_URL": "https://spaces.example.org",
}


def test_production_with_secret_key_sets_secure_cookies_and_trusts_the_proxy():
    config = load_config(PRODUCTION, "/tmp")
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["PROXY_FIX"] == 1
    assert config["HSTS"] is True
    assert config["DEBUG"] is False


def test_production_refuses_to_start_without_base_url():
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config({**PRODUCTION, "BASE_URL": ""}, "/tmp")


@pytest.mark.parametrize(
    "value", ["spaces.example.org", "ftp://x.org", "https://", "https://x.org/?a=1"]
)
def test_a_base_url_that_is_not_a_site_root_is_refused(value):
    with pytest.raises(ConfigError, match="BASE_URL"):
        load_config({**PRODUCTION, "BASE_URL": value}, "/tmp")


def test_base_url_defaults_outside_production():
    assert load_config({}, "/tmp")["BASE_URL"] == "http://127.0.0.1:5000"
    assert load_config({"BASE_URL": "https://x.org/"}, "/tmp")["BASE_URL"] == "https://x.org"


def test_forwarded_headers_are_trusted_only_as_configured():
    assert load_config({}, "/tmp")["PROXY_FIX"] == 0
    assert load_config({"PROXY_FIX": "2"}, "/tmp")["PROXY_FIX"] == 2
    assert load_config({**PRODUCTION, "PROXY_FIX": "0"}, "/tmp")["PROXY_FIX"] == 0
    assert load_config({}, "/tmp")["HSTS"] is False
    with pytest.raises(ConfigError, match="PROXY_FIX"):
        load_config({"PROXY_FIX": "yes"}, "/tmp")


def test_remember_me_cookie_is_same_site_lax_and_http_only():
    config = load_config({}, "/tmp")
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_HTTPONLY"] is True


def test_development_writes_mail_to_the_instance_outbox_unless_smtp_is_set():
    assert load_config({}, "/srv/instance")["MAIL_OUTBOX_DIR"] == "/srv/instance/outbox"
    assert load_config({"SMTP_URL": "smtp://h:587"}, "/srv/i")["MAIL_OUTBOX_DIR"] is None
    assert load_config({"MAIL_OUTBOX_DIR": "/x"}, "/srv/i")["MAIL_OUTBOX_DIR"] == "/x"
    assert load_config(PRODUCTION, "/srv/i")["MAIL_OUTBOX_DIR"] is None


def test_unknown_environment_is_refused():
    with pytest.raises(ConfigError):
        load_config({"SPACES_ENV": "staging"}, "/tmp")


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db/spaces", "postgresql+psycopg://u:p@db/spaces"),
        ("postgresql://db/spaces", "postgresql+psycopg://db/spaces"),
        ("postgresql+psycopg://db/spaces", "postgresql+psycopg://db/spaces"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_url_gets_the_psycopg3_driver(given, expected):
    assert load_config({"DATABASE_URL": given}, "/tmp")["SQLALCHEMY_DATABASE_URI"] == expected


def test_redis_url_moves_rate_limit_counters_to_redis():
    config = load_config({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "/tmp")
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.parametrize(
    ("value", "enabled"), [("0", False), ("false", False), ("1", True), ("", True)]
)
def test_ratelimit_switch(value, enabled):
    assert load_config({"RATELIMIT_ENABLED": value}, "/tmp")["RATELIMIT_ENABLED"] is enabled


def test_create_app_in_production_without_secret_key_fails(monkeypatch, tmp_path):
    from spaces import create_app

    monkeypatch.setenv("SPACES_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert not (tmp_path / "secret_key").exists()


def _development_app(monkeypatch, instance):
    from spaces import create_app

    monkeypatch.setenv("SPACES_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return create_app({"INSTANCE_PATH": str(instance)})


def test_without_secret_key_each_instance_folder_gets_its_own_random_key(monkeypatch, tmp_path):
    first = _development_app(monkeypatch, tmp_path / "a").config["SECRET_KEY"]
    second = _development_app(monkeypatch, tmp_path / "b").config["SECRET_KEY"]
    assert first != second
    assert len(first) >= 32 and len(second) >= 32
    for folder in ("a", "b"):
        key_file = tmp_path / folder / "secret_key"
        assert key_file.stat().st_mode & 0o777 == 0o600
