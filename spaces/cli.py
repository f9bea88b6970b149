"""The ``flask --app wsgi`` commands operators use (names fixed by shared/API.md)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from spaces.db import transaction

admin_cli = AppGroup("admin", help="Site administrators.")
demo_cli = AppGroup("demo", help="The Touraine demo data.")
bookings_cli = AppGroup("bookings", help="Bookings housekeeping.")


@admin_cli.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create a site administrator, or make an existing account one."""
    from spaces.accounts import services
    from spaces.accounts.forms import PASSWORD_RULES  # noqa: F401 - same rules as the form

    if len(password) < 10:
        raise click.BadParameter("use at least 10 characters", param_hint="--password")
    with transaction():
        user = services.find_user_by_email(email)
        if user is None:
            user = services.register_user(email, password, name)
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
    from spaces.bookings.services import record_expired_requests

    with transaction():
        expired = record_expired_requests()
    click.echo(f"{len(expired)} request(s) expired.")


def init_app(app: Flask) -> None:
    app.cli.add_command(admin_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(bookings_cli)
