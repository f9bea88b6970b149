"""The ``flask --app wsgi`` commands operators use (names fixed by shared/API.md)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from spaces.db import transaction

admin_cli = AppGroup("admin", help="Site administrators.")
demo_cli = AppGroup("demo", help="The Touraine demo data.")
bookings_cli = AppGroup("bookings", help="Bookings housekeeping.")
calendars_cli = AppGroup("calendars", help="Hosts' imported calendars.")


@admin_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site administrator, or make an existing account one."""
    from spaces.accounts import services
    from spaces.accounts.forms import PASSWORD_MAX, PASSWORD_MIN

    # The sign-up form's rule: a longer password could never be typed into the login form.
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise click.BadParameter(
            f"use between {PASSWORD_MIN} and {PASSWORD_MAX} characters", param_hint="--password"
        )
    hashed = services.new_password(password)  # slow: before the write lock
    with transaction():
        user = services.find_user_by_email(email)
        if user is None:
            user = services.register_user(email, hashed, name)
        user.is_admin = True
    click.echo(f"{user.email} is an administrator.")


@demo_cli.command("load")
def load_demo() -> None:
    """Load the Touraine demo data (idempotent: running it twice changes nothing)."""
    from spaces.demo import load

    with transaction():
        summary = load()
    click.echo(summary)


@bookings_cli.command("expire")
def expire_requests() -> None:
    """Record as expired the requests nobody answered in time (and tell the bookers)."""
    from spaces.bookings.deciding import record_expired_requests

    with transaction():
        expired = record_expired_requests()
    click.echo(f"{len(expired)} request(s) expired.")


@calendars_cli.command("sync")
def sync_calendars() -> None:
    """Fetch every imported calendar now and say how it went."""
    from spaces.calendars.sync import sync_all_imports

    results = sync_all_imports()
    failed = [r for r in results if r.error]
    unchanged = [r for r in results if not r.error and (r.not_modified or not r.changed)]
    for result in failed:
        click.echo(f"calendar {result.import_id}: {result.error}")
    click.echo(
        f"{len(results)} calendar(s): {len(results) - len(failed) - len(unchanged)} updated, "
        f"{len(unchanged)} unchanged, {len(failed)} failed; "
        f"{sum(r.blocks for r in results)} busy block(s) in all."
    )


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty (no schedule).")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run the background worker (RQ): queued mail and syncs, and the periodic schedule."""
    from redis.exceptions import RedisError

    from spaces import jobs

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.ClickException(
            "The worker needs REDIS_URL (e.g. REDIS_URL=redis://127.0.0.1:6379/0). Without it, "
            "mail and calendar syncs run inside the web process and no worker is needed."
        )
    try:
        jobs.run_worker(app, burst=burst, schedule=not burst)
    except RedisError as error:
        raise click.ClickException(
            f"Cannot reach Redis at {app.config['REDIS_URL']}: {error}"
        ) from None


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup_command(path: str) -> None:
    """Copy the SQLite database to PATH while the site runs (SQLite's online backup).

    On PostgreSQL use pg_dump, which does the same for a server."""
    import sqlite3

    from flask import current_app
    from sqlalchemy.engine import make_url

    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("The database is not SQLite: use pg_dump -Fc for PostgreSQL.")
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(path)
    try:
        with target:
            source.backup(target, pages=1024)  # copies in steps: writers wait only briefly
    finally:
        target.close()
        source.close()
    click.echo(f"Backed up {url.database} to {path}.")


def init_app(app: Flask) -> None:

    app.cli.add_command(admin_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(bookings_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(calendars_cli)
    app.cli.add_command(worker_command)
