"""The OpenAPI document matches the app's routes, and fuzzing it finds no server error."""

from __future__ import annotations

import os
import re

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.factories import api_token, make_organisation, make_user

FLASK_ARG = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def _app_operations(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = FLASK_ARG.sub(r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method.lower(), path))
    return found


def _spec_operations(document: dict) -> set[tuple[str, str]]:
    return {(method, path) for path, ops in document["paths"].items() for method in ops}


def test_every_api_route_is_documented_and_nothing_else(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    assert _app_operations(app) == _spec_operations(document)


def test_every_operation_documents_its_errors_in_the_error_shape(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


def test_fuzzing_the_api_finds_no_server_error(app):
    """Schemathesis generates requests from the document, valid and invalid; none may give a 5xx."""
    with app.app_context():
        fuzzer = make_user("fuzzer@example.org")
        make_organisation(fuzzer)
        fuzzer_id = fuzzer.id

    def headers() -> dict:
        # A fresh token per request: one of the operations revokes the token it is called with.
        with app.app_context():
            from spaces.accounts.models import User
            from spaces.extensions import db

            return {"Authorization": f"Bearer {api_token(db.session.get(User, fuzzer_id))}"}

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Event streams stay open by design: their behaviour is tested in test_streams.py.
    operations = [
        op
        for op in (result.ok() for result in schema.get_all_operations())
        if not op.definition.raw.get("x-streaming")
    ]
    assert len(operations) >= 8
    statuses: set[int] = set()

    for operation in operations:

        @settings(
            max_examples=FUZZ_EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            response = case.call(headers=headers())
            statuses.add(response.status_code)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
            )

        fuzz()
    # The fuzzer got past authentication and validation, not just 401s.
    assert {200, 201, 422} <= statuses
