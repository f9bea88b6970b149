"""Operator commands."""

from __future__ import annotations

import sqlalchemy as sa

from spaces.accounts.models import User
from spaces.extensions import db
from spaces.organisations.models import Organisation


def test_admin_create_makes_an_administrator(runner, app_ctx):
    result = runner.invoke(
        args=[
            "admin",
            "create",
            "--email",
            "Root@Example.org",
            "--name",
            "Root",
            "--password",
            "long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "root@example.org"))
    assert user.is_admin


def test_admin_create_refuses_a_short_password(runner, app_ctx):
    result = runner.invoke(
        args=["admin", "create", "--email", "a@example.org", "--name", "A", "--password", "short"]
    )
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_demo_load_is_idempotent(runner, app_ctx):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    counts = (
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)),
    )
    assert counts[0] > 0 and counts[1] > 0
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0
    db.session.rollback()
    assert counts == (
        db.session.scalar(sa.select(sa.func.count()).select_from(User)),
        db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)),
    )


def test_backup_copies_the_sqlite_database_while_it_runs(runner, app, app_ctx, tmp_path):
    import sqlite3

    from tests.factories import make_user

    make_user("kept@example.org")
    target = tmp_path / "backup.sqlite3"
    result = runner.invoke(args=["backup", str(target)])
    if app.config["BACKEND"] != "sqlite":
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT email FROM users").fetchall() == [("kept@example.org",)]


def test_admin_create_refuses_a_password_the_login_form_would_refuse(runner, app_ctx):
    """The login form takes 128 characters at most: a longer admin password could never log in."""
    result = runner.invoke(
        args=["admin", "create", "--email", "a@example.org", "--name", "A", "--password", "x" * 129]
    )
    assert result.exit_code != 0
    assert "between 10 and 128 characters" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
