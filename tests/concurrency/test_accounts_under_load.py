"""Sign-ups and log-ins under load: 24 registrations and 24 log-ins at once, on a real gunicorn.

argon2 is slow on purpose. On SQLite a write transaction holds the whole database's lock, so a
hash computed inside one made everybody queue behind it, and past the busy timeout (15 s) they got
a 503. Hashing and verifying now happen before the write lock is taken (a log-in takes none).

The server hashes at twice the production cost in CPU (time 24 × 16 MiB instead of 3 × 64 MiB,
less memory for 48 hashes at once): a modest server's speed, and a queue that certainly outlasts
the busy timeout when the hashes are serialised, whatever the speed of the machine running this.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import PASSWORD, make_user
from tests.servers import gunicorn, post_json

PEOPLE = 24


@pytest.mark.slow
def test_24_sign_ups_and_24_log_ins_at_once_get_no_server_error(app, app_ctx, database):
    existing = [make_user(f"known{n}@example.org").email for n in range(PEOPLE)]
    env = {
        "DATABASE_URL": database.url,
        "RATELIMIT_ENABLED": "0",
        "REDIS_URL": None,
        "ARGON2_TIME_COST": "24",
        "ARGON2_MEMORY_COST": "16384",
    }
    with gunicorn(env, workers=1, threads=2 * PEOPLE) as url:
        jobs = [
            (
                f"{url}/api/v1/auth/register",
                {"email": f"new{n}@example.org", "password": PASSWORD, "name": f"New {n}"},
            )
            for n in range(PEOPLE)
        ] + [(f"{url}/api/v1/auth/token", {"email": e, "password": PASSWORD}) for e in existing]
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
            results = list(pool.map(lambda job: post_json(*job, timeout=90), jobs))
        elapsed = time.monotonic() - started

    statuses = [status for status, _ in results]
    assert all(status < 500 for status in statuses), (statuses, elapsed)
    registrations, logins = results[:PEOPLE], results[PEOPLE:]
    assert [status for status, _ in registrations] == [201] * PEOPLE, registrations
    assert [status for status, _ in logins] == [200] * PEOPLE, logins
    assert all(body["token"].startswith("spc_") for _, body in logins)
