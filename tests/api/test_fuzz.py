"""Property-based fuzz of the whole JSON API, generated from its OpenAPI document (schemathesis).

Every documented operation (the event streams aside: they stay open by design and are tested in
test_streams.py) is called with requests schemathesis generates from the document, valid and
invalid, on each backend, by the owner of a real organisation and anonymously. Before each
operation a fresh world is built through the API itself: a published space with three units
(instant, on request, a meeting room), opening hours, a closure, bookings by the owner and by a
guest (confirmed and requested), a photo, a calendar token, a calendar import, a second member and
a draft space. Part of the time the ids in paths, query strings and bodies are replaced by those
real ids, and the times by plausible near-future ones, so that the requests reach the services and
their writes (POST, PATCH, PUT, DELETE) instead of stopping at 404 or 422.

Each response must:
- never be a 5xx;
- come back within 2 s (a slow one is sent again once: only a request slow twice fails, so that a
  burst of load on a shared machine does not fail the build while a slow path still does);
- for any status >= 400 under /api/, have the error shape ``{"error": {"code", "message"}}``;
- have a status the document lists for the operation, its content type and a body its schema
  accepts (the document is the contract that clients are generated from).

Budget: ``FUZZ_EXAMPLES`` examples per operation for the owner (a third of it anonymously), 30 by
default, which keeps the whole fuzz within about 4 minutes per backend on a 2-core machine. The
examples are derandomised, so a CI run is reproducible; set ``FUZZ_SEED`` to explore other ones,
and raise ``FUZZ_EXAMPLES`` (e.g. 250) to fuzz longer locally. Rate limiting is off (the test
config), as for every test that hammers the API on purpose.
"""

from __future__ import annotations

import io
import os
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from PIL import Image
from schemathesis.core import NOT_SET
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from spaces.api.openapi import document
from tests.factories import PASSWORD, api_token, bearer, make_user

FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))
FUZZ_SEED = os.environ.get("FUZZ_SEED")
FUZZ_STATS = os.environ.get("FUZZ_STATS")  # a file to append each operation's status counts to
SLOW_SECONDS = 2.0
REAL_ID_SHARE = 0.7  # how often an id the fuzzer generated is replaced by an existing one


def _operations() -> list[tuple[str, str]]:
    found = []
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            if not operation.get("x-streaming"):
                found.append((method.upper(), path))
    return found


OPERATIONS = _operations()


# --- the world the fuzzer acts in ---------------------------------------------------------------


@dataclass
class World:
    token: str
    owner_id: int
    ids: dict[str, list[int]] = field(default_factory=dict)

    def add(self, name: str, value: int) -> int:
        self.ids.setdefault(name, []).append(value)
        return value


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(out, "PNG")
    return out.getvalue()


def monday_in(weeks: int) -> date:
    today = date.today()
    return today + timedelta(days=7 * weeks - today.weekday())


def _ok(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (
        response.request.method,
        response.request.path,
        response.status_code,
        response.get_data(as_text=True)[:500],
    )
    return response.get_json() if response.is_json else {}


def build_world(app) -> World:
    """Everything the fuzzer's ids point at, made through the API as a host and a guest would."""
    with app.app_context():
        owner, guest, member = (
            make_user("owner@example.org", "Owner"),
            make_user("guest@example.org", "Guest"),
            make_user("member@example.org", "Member"),
        )
        owner_token, guest_token = api_token(owner), api_token(guest)
        world = World(token=owner_token, owner_id=owner.id)
        for user in (owner, guest, member):
            world.add("user_id", user.id)
    client = app.test_client()
    me, them = bearer(owner_token), bearer(guest_token)

    def post(url, payload, headers=me, status=201):
        return _ok(client.post(url, json=payload, headers=headers), status)

    organisation = world.add(
        "organisation_id",
        post("/api/v1/organisations", {"name": "Tiers-lieu", "kind": "coworking"})["id"],
    )
    post(
        f"/api/v1/organisations/{organisation}/members",
        {"email": "member@example.org", "role": "manager"},
    )
    world.add(
        "organisation_id",
        post("/api/v1/organisations", {"name": "Employeur", "kind": "employer"}, them)["id"],
    )
    place = {
        "organisation_id": organisation,
        "kind": "coworking",
        "address": "1 rue Nationale",
        "postal_code": "37000",
        "commune": "Tours",
        "latitude": 47.3941,
        "longitude": 0.6848,
        "timezone": "Europe/Paris",
        "services": ["wifi"],
    }
    space = world.add("space_id", post("/api/v1/spaces", {**place, "name": "La Fabrique"})["id"])
    world.add("space_id", post("/api/v1/spaces", {**place, "name": "Brouillon"})["id"])
    prices = {"hour": 400, "half_day": 1500, "day": 2500, "month": None}
    units = [
        world.add(
            "unit_id",
            post(
                f"/api/v1/spaces/{space}/units",
                {"name": name, "kind": kind, "capacity": 3, "prices": prices, "booking_mode": mode},
            )["id"],
        )
        for name, kind, mode in (
            ("Postes", "desk_pool", "instant"),
            ("Bureau", "office", "request"),
            ("Salle", "meeting_room", "instant"),
        )
    ]
    hours = [{"weekday": d, "start": "08:00", "end": "19:00"} for d in range(5)]
    _ok(client.put(f"/api/v1/spaces/{space}/opening-hours", json=hours, headers=me), 200)
    _ok(client.post(f"/api/v1/spaces/{space}/publish", headers=me), 200)
    monday = monday_in(2)
    world.add(
        "closure_id",
        post(
            f"/api/v1/spaces/{space}/closures",
            {
                "start": f"{monday + timedelta(days=2)}T08:00",
                "end": f"{monday + timedelta(days=2)}T19:00",
                "reason": "Travaux",
            },
        )["id"],
    )
    world.add(
        "closure_id",
        post(
            f"/api/v1/units/{units[2]}/closures",
            {
                "start": f"{monday + timedelta(days=3)}T08:00",
                "end": f"{monday + timedelta(days=3)}T12:00",
            },
        )["id"],
    )
    for unit, headers, day in (
        (units[0], me, 0),
        (units[0], them, 1),
        (units[1], them, 0),  # on request: a booking the owner can approve or decline
        (units[1], me, 1),
        (units[2], them, 4),
    ):
        booking = post(
            "/api/v1/bookings",
            {
                "unit_id": unit,
                "start": f"{monday + timedelta(days=day)}T09:00",
                "end": f"{monday + timedelta(days=day)}T12:00",
            },
            headers,
        )
        world.add("booking_id", booking["id"])
    series = post(  # on request too: requests for the owner to approve or decline
        "/api/v1/bookings",
        {
            "unit_id": units[1],
            "start": f"{monday}T14:00",
            "end": f"{monday}T16:00",
            "repeat": {"weekdays": [0, 3], "until": str(monday + timedelta(days=14))},
        },
        them,
    )
    for occurrence in series["occurrences"]:
        world.add("booking_id", occurrence["id"])
    photo = client.post(
        f"/api/v1/spaces/{space}/photos",
        data={"file": (io.BytesIO(_png()), "salle.png"), "alt": "La salle"},
        headers=me,
        content_type="multipart/form-data",
    )
    world.add("photo_id", _ok(photo, 201)["id"])
    world.add("token_id", post("/api/v1/calendar-tokens", {"scope": "unit", "id": units[0]})["id"])
    world.add("token_id", post("/api/v1/calendar-tokens", {"scope": "me"})["id"])
    world.add(
        "import_id",
        post(
            f"/api/v1/units/{units[1]}/calendar-imports",
            {"url": "http://127.0.0.1:9/agenda.ics", "name": "Agenda"},
        )["id"],
    )
    # A call for occupation (open, with an application by the guest) and a draft one.
    call_body = {
        "title": "Appel",
        "description": "Des bureaux vacants.",
        "occupation_from": str(monday + timedelta(days=7)),
        "occupation_until": str(monday + timedelta(days=60)),
        "apply_until": f"{monday}T12:00",
    }
    call = world.add("call_id", post(f"/api/v1/units/{units[1]}/calls", call_body)["id"])
    _ok(client.post(f"/api/v1/calls/{call}/publish", headers=me), 200)
    world.add("call_id", post(f"/api/v1/units/{units[0]}/calls", call_body)["id"])
    world.add(
        "application_id",
        post(
            f"/api/v1/calls/{call}/applications",
            {
                "project": "Un atelier.",
                "planned_use": "Trois jours par semaine.",
                "start_date": str(monday + timedelta(days=7)),
                "end_date": str(monday + timedelta(days=30)),
            },
            them,
        )["id"],
    )
    return world


# --- steering generated cases towards real objects ----------------------------------------------

ID_NAMES = {
    "space_id": "space_id",
    "unit_id": "unit_id",
    "booking_id": "booking_id",
    "closure_id": "closure_id",
    "photo_id": "photo_id",
    "token_id": "token_id",
    "import_id": "import_id",
    "organisation_id": "organisation_id",
    "sponsor_organisation_id": "organisation_id",
    "user_id": "user_id",
    "call_id": "call_id",
    "application_id": "application_id",
}
TIME_KEYS = ("start", "end")
# Free-text fields the services check against the world (a known zone, a commune the geocoder
# finds): half of the time they get a value that passes, so the request goes further.
PLAUSIBLE = {
    "timezone": ["Europe/Paris", "America/Cayenne", "Pacific/Noumea", "UTC"],
    "commune": ["Tours", "Lyon", "Saint-Pierre-des-Corps"],
    "postal_code": ["37000", "69001"],
    "email": ["owner@example.org", "member@example.org", "guest@example.org", "new@example.org"],
    "password": [PASSWORD],
    "url": ["http://127.0.0.1:9/agenda.ics", "https://127.0.0.1:9/cal.ics"],
}


def plausible_times(monday: date):
    """A local [start, end) within the world's next weeks, mostly in opening hours: from 7:00 to
    17:45, on the quarter hour, for 15 minutes to 4 hours."""

    def pair(days: int, quarter: int, length: int) -> tuple[str, str]:
        start = datetime.combine(monday + timedelta(days=days), datetime.min.time())
        start += timedelta(minutes=15 * quarter)
        end = start + timedelta(minutes=15 * length)
        return start.isoformat(timespec="minutes"), end.isoformat(timespec="minutes")

    return st.builds(pair, st.integers(-3, 25), st.integers(7 * 4, 18 * 4 - 1), st.integers(1, 16))


def plausible_repeat(monday: date):
    return st.builds(
        lambda weekdays, days: {"weekdays": weekdays, "until": str(monday + timedelta(days=days))},
        st.lists(st.integers(0, 6), min_size=1, max_size=3, unique=True),
        st.integers(0, 40),
    )


def steer(case, world: World, data) -> None:
    """Point some of the case's ids at existing objects and some of its times at near dates."""
    monday = monday_in(2)

    def real(name: str, current):
        pool = world.ids.get(ID_NAMES[name])
        if name == "sponsor_organisation_id":
            pool = [*pool, None]  # booking without a sponsor
        if pool and data.draw(st.floats(0, 1), label=f"steer {name}") < REAL_ID_SHARE:
            return data.draw(st.sampled_from(pool), label=name)
        return current

    for name, value in list((case.path_parameters or {}).items()):
        if name in ID_NAMES:
            case.path_parameters[name] = real(name, value)
    for container in (case.query, case.body):
        if not isinstance(container, dict):
            continue
        for name in list(container):
            if name in ID_NAMES:
                container[name] = real(name, container[name])
            elif name == "repeat" and data.draw(st.booleans(), label="steer repeat"):
                container[name] = data.draw(plausible_repeat(monday), label=name)
            elif name == "seats" and data.draw(st.booleans(), label="steer seats"):
                container[name] = data.draw(st.integers(1, 4), label=name)
            elif name in PLAUSIBLE and data.draw(st.booleans(), label=f"steer {name}"):
                container[name] = data.draw(st.sampled_from(PLAUSIBLE[name]), label=name)
        times = [key for key in TIME_KEYS if key in container]
        if times and data.draw(st.floats(0, 1), label="steer times") < 0.6:
            start, end = data.draw(plausible_times(monday), label="times")
            container.update({key: {"start": start, "end": end}[key] for key in times})
        if case.path.endswith("/calendar-tokens") and "id" in container:
            pool = world.ids["unit_id"] + world.ids["space_id"]
            if data.draw(st.booleans(), label="steer token target"):
                container["id"] = data.draw(st.sampled_from(pool), label="token target")
        if case.path.endswith("/photos/order") and data.draw(st.booleans(), label="steer ids"):
            container["ids"] = data.draw(st.permutations(world.ids["photo_id"]), label="ids")


# --- the checks ---------------------------------------------------------------------------------


def describe(case) -> str:
    """The request, as a failure message: enough to replay it by hand."""
    text = f"{case.method} {case.formatted_path}"
    if case.query:
        text += f" query={case.query!r}"
    if case.body is not NOT_SET:
        body = case.body[:200] if isinstance(case.body, bytes | str) else case.body
        text += f" body={body!r} ({case.media_type})"
    return text


def timed_call(case, headers: dict):
    started = time.perf_counter()
    response = case.call(headers=headers)
    return response, time.perf_counter() - started


def check_response(case, response, elapsed: float, call_again) -> None:
    status = response.status_code
    assert status < 500, f"{describe(case)} -> {status}: {response.text[:800]}"
    if elapsed >= SLOW_SECONDS:
        # Once more, to tell a slow path from a moment of load on a shared machine.
        _again, elapsed_again = call_again()
        assert elapsed_again < SLOW_SECONDS, (
            f"{describe(case)} took {elapsed:.2f} s, then {elapsed_again:.2f} s"
        )
    if status >= 400 and case.formatted_path.startswith("/api/"):
        try:
            error = response.json()["error"]
        except (ValueError, KeyError, TypeError) as exc:
            raise AssertionError(
                f"{describe(case)} -> {status} without the error shape: {response.text[:300]}"
            ) from exc
        assert isinstance(error.get("code"), str) and error["code"], (describe(case), error)
        assert isinstance(error.get("message"), str) and error["message"], (describe(case), error)
    # The document is the contract: the status is one it lists, the body fits its schema.
    case.validate_response(response, checks=CONFORMANCE)


CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def fuzz_settings(examples: int):
    def apply(test):
        test = settings(
            max_examples=max(1, examples),
            deadline=None,
            database=None,
            derandomize=FUZZ_SEED is None,
            suppress_health_check=list(HealthCheck),
            print_blob=True,
        )(test)
        if FUZZ_SEED is not None:
            test = seed(int(FUZZ_SEED))(test)
        return test

    return apply


def strategy_for(operation):
    """Valid requests and invalid ones (wrong types, out-of-range values, missing fields)."""
    return st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
    )


@pytest.mark.parametrize(
    ("method", "path"), OPERATIONS, ids=[f"{m} {p.removeprefix('/api/v1')}" for m, p in OPERATIONS]
)
def test_fuzz_operation(app, method, path):
    """Owner and anonymous requests to one operation: no 5xx, no slow answer, errors in shape."""
    assert app.config["RATELIMIT_ENABLED"] is False
    world = build_world(app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method.lower()]
    strategy = strategy_for(operation)
    state = {"token": world.token}
    seen: Counter[int] = Counter()

    def owner_headers() -> dict:
        return bearer(state["token"])

    def run(case, data, headers_for) -> None:
        steer(case, world, data)
        response, elapsed = timed_call(case, headers_for())
        seen[response.status_code] += 1
        check_response(case, response, elapsed, lambda: timed_call(case, headers_for()))
        if response.status_code == 204 and path == "/api/v1/auth/token":
            with app.app_context():  # the owner revoked the token it called with
                from spaces.accounts.models import User
                from spaces.extensions import db

                state["token"] = api_token(db.session.get(User, world.owner_id))

    @fuzz_settings(FUZZ_EXAMPLES)
    @given(case=strategy, data=st.data())
    def as_owner(case, data):
        run(case, data, owner_headers)

    @fuzz_settings(FUZZ_EXAMPLES // 3)
    @given(case=strategy, data=st.data())
    def anonymously(case, data):
        run(case, data, dict)

    as_owner()
    anonymously()
    assert seen, "no request was sent"
    if FUZZ_STATS:  # which statuses each operation got: is the fuzz reaching the services?
        with open(FUZZ_STATS, "a") as out:
            print(app.config["BACKEND"], method, path, dict(sorted(seen.items())), file=out)


# --- inputs that once gave a 5xx or a minute-long answer (issue 9): now 4xx at once ----------

UNIT, BOOKING, SPACE = "{unit}", "{booking}", "{space}"
KNOWN = [
    # (id, who fixed it, SQLite only, method, url, JSON body)
    ("availability-year-1", "lead", False, "get",
     "/api/v1/units/{unit}/availability?start=0001-01-01T00:00:00%2B00:01&end=2000-01-01T00:00:00Z",
     None),
    ("availability-year-9999", "lead", False, "get",
     "/api/v1/units/{unit}/availability?start=9999-12-31T00:00&end=9999-12-31T23:59", None),
    ("search-year-9999", "lead", False, "get",
     "/api/v1/search?start=9999-12-31T00:00&end=9999-12-31T23:59", None),
    ("booking-year-9999", "lead", False, "post", "/api/v1/bookings",
     {"unit_id": "{unit}", "start": "9999-12-31T09:00", "end": "9999-12-31T12:00"}),
    ("move-year-9999", "lead", False, "patch", "/api/v1/bookings/{booking}",
     {"start": "9999-12-31T09:00", "end": "9999-12-31T12:00"}),
    ("series-until-9999", "lead", False, "post", "/api/v1/bookings",
     {"unit_id": "{unit}", "start": "{monday}T09:00", "end": "{monday}T12:00",
      "repeat": {"weekdays": [0], "until": "9999-12-31"}}),
    ("closure-year-1", "web", False, "post", "/api/v1/spaces/{space}/closures",
     {"start": "0001-01-01T00:00", "end": "0001-01-01T23:00"}),
    ("space-organisation-id-beyond-64-bits", "auth", True, "post", "/api/v1/spaces",
     {"organisation_id": 2**70, "name": "Annexe", "kind": "coworking", "commune": "Tours"}),
    ("sponsor-id-beyond-64-bits", "auth", True, "post", "/api/v1/bookings",
     {"unit_id": "{unit}", "start": "{monday}T09:00", "end": "{monday}T12:00",
      "sponsor_organisation_id": 2**70}),
]  # fmt: skip


def _fill(value, names: dict):
    if isinstance(value, str):
        filled = value.format(**names)
        return int(filled) if value in (UNIT, BOOKING, SPACE) else filled
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("owner", "sqlite_only", "method", "url", "payload"),
    [pytest.param(*known[1:], id=known[0]) for known in KNOWN],
)
def test_absurd_input_is_refused_at_once(app, owner, sqlite_only, method, url, payload):
    """Each of these gave a 500 (dates overflowing, ids beyond 64 bits on SQLite) or walked for
    seconds (a series to 9999) before issue 9: now a 4xx, fast, on both backends."""
    world = build_world(app)
    names = {
        "unit": str(world.ids["unit_id"][0]),
        "booking": str(world.ids["booking_id"][0]),
        "space": str(world.ids["space_id"][0]),
        "monday": str(monday_in(3)),
    }
    client = app.test_client()
    started = time.perf_counter()
    response = getattr(client, method)(
        _fill(url, names), json=_fill(payload, names), headers=bearer(world.token)
    )
    elapsed = time.perf_counter() - started
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)[:300]
    assert elapsed < SLOW_SECONDS


# --- what the fuzz found ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/spaces/562949953421312/units"),
        ("post", "/api/v1/spaces/562949953421312/units"),
        ("get", "/api/v1/spaces/2147483648/closures"),
        ("put", "/api/v1/spaces/2147483648/opening-hours"),
        ("patch", "/api/v1/units/9999999999"),
        ("get", "/api/v1/units/2147483648/calendar-imports"),
    ],
)
def test_an_id_beyond_the_database_is_a_404_whatever_the_method(client, app, method, url):
    """Found by the fuzz: ``GET /spaces/<huge id>/units`` said 405 "method not allowed" because
    the POST route of the same path exists; an id that names nothing is a 404."""
    with app.app_context():
        token = api_token(make_user())
    response = getattr(client, method)(url, json={}, headers=bearer(token))
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "not_found"


def test_an_id_beyond_the_database_is_a_404_on_pages_too(client):
    assert client.get("/spaces/562949953421312").status_code == 404
    assert client.get("/api/v1/spaces/2147483647").status_code == 404


@pytest.mark.parametrize("target", ["space", "unit"])
@pytest.mark.parametrize("weekday", [{}, {"weekday": None}, {"weekday": ""}])
def test_a_window_without_its_day_is_refused_and_the_hours_stay(app, client, target, weekday):
    """Found by the fuzz: ``PUT …/opening-hours`` with ``[{"start": "20:00", "end": "24:00"}]``
    answered 500 (None compared with a weekday; on a unit, a NOT NULL violation)."""
    world = build_world(app)
    owner_id = world.ids[f"{target}_id"][0]
    url = f"/api/v1/{target}s/{owner_id}/opening-hours"
    before = client.get(url).get_json()
    response = client.put(
        url,
        json=[
            {"weekday": 0, "start": "08:00", "end": "12:00"},
            {**weekday, "start": "20:00", "end": "24:00"},
        ],
        headers=bearer(world.token),
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    fields = response.get_json()["error"]["fields"]
    assert list(fields) == ["windows.1.weekday"], fields
    if weekday.get("weekday") is None:  # says which day to give, in the reader's language
        assert "0 = " in fields["windows.1.weekday"][0]
    assert client.get(url).get_json() == before
