"""The migrations produce exactly the models' schema, and go down and up again, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from spaces import create_app
from spaces.db import schema_object_in_models
from spaces.extensions import db
from tests.conftest import BACKENDS, app_config, make_database


def _differences(app) -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": False,
                "include_object": schema_object_in_models,
            },
        )
        return compare_metadata(context, db.metadata)


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrations_match_models_and_round_trip(backend, tmp_path, instance_dir):
    url, drop = make_database(backend, tmp_path)
    try:
        app = create_app(app_config(url, instance_dir))
        with app.app_context():
            upgrade()
            assert _differences(app) == []
            downgrade(revision="base")
            with db.engine.connect() as conn:
                tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
            assert tables == set()
            upgrade()
            assert _differences(app) == []
            db.engine.dispose()
    finally:
        drop()
