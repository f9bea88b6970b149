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


def test_production_with_secret_key_sets_secure_cookies_and_trusts_the_proxy():
    config = load_config({"SPACES_ENV": "production", "SECRET_KEY": "x" * 40}, "/tmp")
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["TRUST_PROXY"] is True
    assert config["DEBUG"] is False


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
