"""Benchmark data: N published spaces spread over France, two units each, with opening hours.

Spaces are drawn from the offline geocoder's commune file (``spaces/geo/data/communes.tsv.gz``),
weighted by population, and placed up to 3 km from the town hall, so cities get many spaces and
villages a few, as in real life. Rows go in with SQLAlchemy Core bulk inserts (thousands per
statement) in one transaction; the database is migrated first. Works on any DATABASE_URL.

    python bench/generate.py --database-url sqlite:////tmp/bench.sqlite3 --spaces 10000
    DATABASE_URL=postgresql://127.0.0.1/bench python bench/generate.py --spaces 10000

Run it on an empty database: it appends (under its own organisation "Bench") and never deletes.
"""

from __future__ import annotations

import argparse
import gzip
import math
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMUNES_FILE = ROOT / "spaces" / "geo" / "data" / "communes.tsv.gz"
BATCH = 2000  # spaces per INSERT statement
SPACE_KINDS = ["coworking"] * 6 + ["private_premises"] * 2 + ["vacant_public", "residence", "other"]
SERVICES = [
    "wifi", "printer", "meeting_room", "childcare", "library", "digital_help", "kitchen",
    "parking", "bike_parking", "accessible", "quiet_zone", "phone_booth", "animation", "coffee",
    "lockers", "showers",
]  # fmt: skip
WEEKDAY_HOURS = (510, 1140)  # 8:30-19:00
SATURDAY_HOURS = (540, 750)  # 9:00-12:30


@dataclass(frozen=True)
class Commune:
    insee: str
    name: str
    departement: str
    postal_code: str
    latitude: float
    longitude: float
    population: int
    timezone: str


def read_communes(path: Path = COMMUNES_FILE) -> list[Commune]:
    """Current communes (kind COM) with a known, non-zero population."""
    communes = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = None
        for line in handle:
            if line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if header is None:
                header = fields
                continue
            row = dict(zip(header, fields, strict=True))
            if row["kind"] != "COM" or not row["population"] or int(row["population"]) <= 0:
                continue
            communes.append(
                Commune(
                    row["insee"],
                    row["name"],
                    row["departement"],
                    row["postal_codes"].split(",")[0],
                    float(row["latitude"]),
                    float(row["longitude"]),
                    int(row["population"]),
                    row["timezone"],
                )
            )
    return communes


def near(rng: random.Random, latitude: float, longitude: float, max_km: float):
    """A point uniformly distributed in the disc of ``max_km`` around (latitude, longitude)."""
    distance = max_km * math.sqrt(rng.random())
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = distance * math.cos(bearing) / 111.32
    dlon = distance * math.sin(bearing) / (111.32 * math.cos(math.radians(latitude)))
    return round(latitude + dlat, 6), round(longitude + dlon, 6)


def space_rows(rng: random.Random, communes: list[Commune], count: int, organisation_id: int):
    now = datetime.now(UTC)
    weights = [c.population for c in communes]
    for n, commune in enumerate(rng.choices(communes, weights=weights, k=count), start=1):
        latitude, longitude = near(rng, commune.latitude, commune.longitude, 3.0)
        yield {
            "organisation_id": organisation_id,
            "name": f"{rng.choice(['Espace', 'Tiers-lieu', 'Cowork', 'Atelier', 'Maison'])} "
            f"{commune.name} {n}",
            "kind": rng.choice(SPACE_KINDS),
            "description": "Espace généré pour le banc d'essai.",
            "address": f"{rng.randint(1, 120)} rue de la République",
            "postal_code": commune.postal_code,
            "commune": commune.name,
            "insee_code": commune.insee,
            "departement": commune.departement,
            "latitude": latitude,
            "longitude": longitude,
            "timezone": commune.timezone,
            "status": "published",
            "published_at": now,
            "capacity_cap_percent": 100,
            "closed_on_public_holidays": rng.random() < 0.2,
            "created_at": now,
            "updated_at": now,
        }


def unit_rows(rng: random.Random, space_id: int, now: datetime) -> list[dict]:
    desks = {
        "space_id": space_id,
        "name": "Postes partagés",
        "kind": "desk_pool",
        "capacity": rng.randint(4, 30),
        "price_hour": rng.choice([0, 300, 350, 400, 450, 500]),
        "price_half_day": rng.randint(12, 18) * 100,
        "price_day": rng.randint(20, 28) * 100,
        "price_month": rng.randint(18, 28) * 1000,
        "booking_mode": "instant",
        "position": 1,
        "created_at": now,
    }
    room = {
        "space_id": space_id,
        "name": "Salle de réunion",
        "kind": "meeting_room",
        "capacity": rng.randint(4, 20),
        "price_hour": rng.randint(20, 40) * 100,
        "price_half_day": None,
        "price_day": None,
        "price_month": None,
        "booking_mode": rng.choice(["instant", "request"]),
        "position": 2,
        "created_at": now,
    }
    return [desks, room]


def window_rows(rng: random.Random, space_id: int) -> list[dict]:
    rows = [
        {"space_id": space_id, "weekday": day, "start_minute": start, "end_minute": end}
        for day in range(5)
        for start, end in [WEEKDAY_HOURS]
    ]
    if rng.random() < 0.3:
        rows.append(
            {
                "space_id": space_id,
                "weekday": 5,
                "start_minute": SATURDAY_HOURS[0],
                "end_minute": SATURDAY_HOURS[1],
            }
        )
    return rows


def generate(connection, count: int, seed: int = 1) -> dict[str, int]:
    """Insert ``count`` published spaces with their units, services and hours; returns counts."""
    import sqlalchemy as sa

    from spaces.extensions import db

    tables = db.metadata.tables
    spaces, units = tables["spaces"], tables["units"]
    services, windows = tables["space_services"], tables["opening_windows"]
    organisations = tables["organisations"]
    rng = random.Random(seed)
    now = datetime.now(UTC)
    organisation_id = connection.execute(
        sa.insert(organisations)
        .values(name="Bench", kind="coworking", created_at=now)
        .returning(organisations.c.id)
    ).scalar_one()
    rows = list(space_rows(rng, read_communes(), count, organisation_id))
    counts = {"spaces": 0, "units": 0, "services": 0, "windows": 0}
    for offset in range(0, len(rows), BATCH):
        batch = rows[offset : offset + BATCH]
        ids = connection.execute(
            sa.insert(spaces).returning(spaces.c.id, sort_by_parameter_order=True), batch
        ).scalars()
        unit_batch, service_batch, window_batch = [], [], []
        for space_id in ids:
            unit_batch += unit_rows(rng, space_id, now)
            codes = ["wifi", *rng.sample(SERVICES[1:], rng.randint(1, 4))]
            service_batch += [{"space_id": space_id, "code": code} for code in codes]
            window_batch += window_rows(rng, space_id)
        connection.execute(sa.insert(units), unit_batch)
        connection.execute(sa.insert(services), service_batch)
        connection.execute(sa.insert(windows), window_batch)
        counts["spaces"] += len(batch)
        counts["units"] += len(unit_batch)
        counts["services"] += len(service_batch)
        counts["windows"] += len(window_batch)
    return counts


def make_app(database_url: str):
    from spaces import create_app

    return create_app(
        {
            "DATABASE_URL": database_url,
            "SPACES_ENV": "testing",
            "SECRET_KEY": "bench",
            "REDIS_URL": None,
            "RATELIMIT_ENABLED": False,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--spaces", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    app = make_app(args.database_url)
    with app.app_context():
        from flask_migrate import upgrade

        from spaces.extensions import db

        upgrade()
        started = time.perf_counter()
        with db.engine.begin() as connection:
            counts = generate(connection, args.spaces, args.seed)
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        elapsed = time.perf_counter() - started
        dialect = db.engine.dialect.name
        db.engine.dispose()
    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
    print(f"generated {summary} in {elapsed:.1f} s ({dialect})")


if __name__ == "__main__":
    main()
