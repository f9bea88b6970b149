"""Spaces: vacant premises and shared workspaces on the map, with real-time availability."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

from flask import Flask, g, request
from werkzeug.exceptions import NotFound
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter


class BoundedInt(IntegerConverter):
    """Ids beyond a 32-bit integer name nothing: a 404, never a 500 from the database.

    The 404 is raised here rather than by failing the match (``max=``): werkzeug reports a path
    that fails conversion for one method and exists for another as a 405, which is a lie.
    """

    MAX = 2**31 - 1

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > self.MAX:
            raise NotFound()
        return number


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(config: Mapping | None = None) -> Flask:
    """Build the application: configuration from the environment, then ``config`` on top."""
    from spaces import cli, errors, events, i18n, jobs, requestlog, security
    from spaces.config import load_config
    from spaces.db import schema_object_in_models
    from spaces.extensions import babel, csrf, db, limiter, migrate
    from spaces.schedule import periodic_tasks

    app = Flask(
        __name__,
        instance_path=(config or {}).get("INSTANCE_PATH")
        or os.environ.get("SPACES_INSTANCE_PATH")
        or None,
        instance_relative_config=False,
        template_folder=os.path.join(ROOT, "templates"),
        static_folder=os.path.join(ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    environ = dict(os.environ)
    for key in ("SPACES_ENV", "SECRET_KEY", "BASE_URL"):
        if config and config.get(key):
            environ[key] = config[key]
    app.config.from_mapping(load_config(environ, app.instance_path))
    if config:
        app.config.from_mapping(config)
        if "DATABASE_URL" in config:
            from spaces.config import normalise_database_url

            app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(config["DATABASE_URL"])
        if "REDIS_URL" in config and "RATELIMIT_STORAGE_URI" not in config:
            app.config["RATELIMIT_STORAGE_URI"] = config["REDIS_URL"] or "memory://"
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if not app.config.get("SECRET_KEY"):
        from spaces.config import instance_secret_key

        app.config["SECRET_KEY"] = instance_secret_key(app.instance_path)

    hops = app.config.get("PROXY_FIX") or 0
    if hops:
        # The Host header is never taken from X-Forwarded-Host: links come from BASE_URL.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)

    app.url_map.converters["int"] = BoundedInt
    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(ROOT, "migrations"),
        render_as_batch=True,
        include_object=schema_object_in_models,
    )
    csrf.init_app(app)
    limiter.init_app(app)
    translations = i18n.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = translations
    babel.init_app(app, locale_selector=i18n.select_locale)
    _init_login(app)
    errors.init_app(app)
    events.init_app(app)
    requestlog.init_app(app)
    security.init_app(app)
    _register_blueprints(app)
    cli.init_app(app)
    jobs.init_app(app, periodic_tasks(app))
    _init_templates(app)
    return app


def _init_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from spaces.accounts.models import User
    from spaces.accounts.services import user_for_token
    from spaces.extensions import db, login_manager

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        raw_id, _, version = user_id.partition(":")
        if not raw_id.isdigit() or not version.isdigit():
            return None
        user = db.session.get(User, int(raw_id))
        if user is None or user.session_version != int(version):
            return None
        return user

    @login_manager.request_loader
    def load_user_from_bearer(req):
        header = req.headers.get("Authorization", "")
        scheme, _, clear = header.partition(" ")
        if scheme.lower() != "bearer" or not clear:
            return None
        user = user_for_token(clear.strip())
        if user is not None:
            g.bearer = clear.strip()
        return user

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import flash, redirect, url_for

        from spaces.errors import Unauthorized

        if request.path.startswith("/api/"):
            raise Unauthorized()
        flash(login_manager.login_message, "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def _register_blueprints(app: Flask) -> None:
    from spaces import api, main
    from spaces.accounts import views as accounts_views
    from spaces.admin import views as admin_views
    from spaces.availability import views as availability_views
    from spaces.bookings import views as booking_views
    from spaces.calendars import import_views as calendar_import_views
    from spaces.calendars import views as calendar_views
    from spaces.calls import views as call_views
    from spaces.employers import views as employer_views
    from spaces.imports import views as import_views
    from spaces.listings import photo_views
    from spaces.listings import views as listing_views
    from spaces.observatory import views as observatory_views
    from spaces.organisations import views as organisation_views

    api.register_modules()
    for blueprint in (
        main.bp,
        accounts_views.bp,
        organisation_views.bp,
        admin_views.bp,
        booking_views.bp,
        calendar_views.bp,
        calendar_import_views.bp,
        listing_views.bp,
        availability_views.bp,
        photo_views.bp,
        import_views.bp,
        call_views.bp,
        employer_views.bp,
        observatory_views.bp,
        api.bp,
    ):
        app.register_blueprint(blueprint)


def _init_templates(app: Flask) -> None:
    from flask_babel import format_date, format_datetime

    from spaces import menus
    from spaces.i18n import current_locale

    app.jinja_env.add_extension("jinja2.ext.do")
    menus.init_app(app)
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["datetime"] = format_datetime

    @app.context_processor
    def inject_locale():
        return {"locale": current_locale(), "languages": app.config["LANGUAGES"]}
