"""Employers at scale (issue 14): a sponsored booking's check + write, and a month's statement
(JSON and CSV), in process, on a database built by ``bench/scale_data.py`` (presets ``indico``
and ``million``).

Setup, once per run, in one transaction (the rows stay in the database): an employer "Bench
Employer" with ``--staff`` members (10,000) and a sponsorship with both budgets set (per member
and in total, large enough that the checks pass: both sums are computed every time); one booking
in ``--share`` (5) of the existing ones becomes sponsored by it, its booker one of the staff (at
1,000,000 bookings: 200,000 sponsored, 20 per member over the year); then up to
``--statement-lines`` (5,000) confirmed bookings starting next month are sponsored too, so that
month's statement has that many lines. ``ANALYZE`` after.

Cases (``--only``):

- [book] ``requesting.request_booking`` with ``sponsor_organisation_id`` inside
  ``transaction(expire_on_commit=False)``, as ``POST /api/v1/bookings`` does it: unit lock,
  rules, engine, price, then the sponsorship row lock, policy and the two monthly sums, write,
  commit, e-mails to an outbox directory; the same without a sponsor for comparison
  ([book-plain]). 2-hour slots on random published desk pools, 14 to 150 days ahead.
- [statement] ``statements.statement(org, month)`` then ``json.dumps`` of ``as_json()``, and
  [csv] ``statement_csv(statement(...))``, for next month.

    python bench/employers.py --database-url sqlite:////tmp/scale.sqlite3
    python bench/employers.py --database-url postgresql://127.0.0.1:5432/spaces_bench --json F
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import scale_kit as kit  # noqa: E402

CASES = ("book", "book-plain", "statement", "csv")


def next_month() -> date:
    today = datetime.now(UTC).date()
    return date(today.year + (today.month == 12), today.month % 12 + 1, 1)


def setup(staff: int, share: int, statement_lines: int) -> tuple[int, list[int]]:
    """The employer, its staff and its sponsored bookings (module docstring): (org id, staff
    user ids)."""
    import sqlalchemy as sa

    from spaces.accounts.models import User
    from spaces.db import transaction
    from spaces.employers.models import Sponsorship
    from spaces.extensions import db
    from spaces.organisations.models import Membership, Organisation

    started = time.monotonic()
    stamp = f"{int(time.time() * 1000)}"
    with transaction():
        organisation = Organisation(name=f"Bench Employer {stamp}", kind="employer")
        owner = User(email=f"rh-{stamp}@bench.example", name="RH", locale="fr")
        db.session.add_all([organisation, owner])
        db.session.flush()
        db.session.add(Membership(organisation_id=organisation.id, user_id=owner.id, role="owner"))
        users = [
            User(email=f"staff-{stamp}-{n}@bench.example", name=f"Staff {n}", locale="fr")
            for n in range(staff)
        ]
        db.session.add_all(users)
        db.session.flush()
        ids = sorted(u.id for u in users)
        db.session.execute(
            sa.insert(Membership),
            [{"organisation_id": organisation.id, "user_id": i, "role": "member"} for i in ids],
        )
        db.session.add(
            Sponsorship(
                organisation_id=organisation.id,
                monthly_budget_per_member=5_000_000,
                monthly_budget_total=10**11 // 100,
                currency="EUR",
            )
        )
        org_id = organisation.id
        contiguous = ids[-1] - ids[0] == len(ids) - 1
        booker = ":first + (id % :staff)" if contiguous else ":first"
        sponsored = db.session.execute(
            sa.text(
                f"UPDATE bookings SET sponsor_organisation_id = :org, user_id = {booker}"
                " WHERE id % :share = 0"
            ),
            {"org": org_id, "first": ids[0], "staff": staff, "share": share},
        ).rowcount
        first = next_month()
        lo = datetime.combine(first, datetime.min.time(), tzinfo=UTC)
        hi = lo + timedelta(days=31)
        extra = db.session.execute(
            sa.text(
                f"UPDATE bookings SET sponsor_organisation_id = :org, user_id = {booker}"
                " WHERE id IN (SELECT id FROM bookings WHERE status = 'confirmed'"
                " AND start_at >= :lo AND start_at < :hi"
                " AND (sponsor_organisation_id IS NULL OR sponsor_organisation_id <> :org)"
                " ORDER BY id LIMIT :n)"
            ),
            {
                "org": org_id,
                "first": ids[0],
                "staff": staff,
                "lo": lo if db.engine.dialect.name != "sqlite" else lo.replace(tzinfo=None),
                "hi": hi if db.engine.dialect.name != "sqlite" else hi.replace(tzinfo=None),
                "n": max(0, statement_lines - _lines_next_month(org_id, lo, hi)),
            },
        ).rowcount
    with db.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    db.session.remove()
    print(
        f"employer {org_id}: {staff} staff, {sponsored + extra} sponsored bookings"
        f" ({time.monotonic() - started:.1f} s)",
        flush=True,
    )
    return org_id, ids


def _lines_next_month(org_id: int, lo: datetime, hi: datetime) -> int:
    import sqlalchemy as sa

    from spaces.bookings.models import Booking
    from spaces.extensions import db

    return db.session.scalar(
        sa.select(sa.func.count()).where(
            Booking.sponsor_organisation_id == org_id,
            Booking.status == "confirmed",
            Booking.start_at >= lo,
            Booking.start_at < hi,
        )
    )


class Bench:
    def __init__(self, args):
        self.args = args
        self.figures: list[kit.Figure] = []
        self.org_id, self.staff = setup(args.staff, args.share, args.statement_lines)
        self.pools = kit.published_units(args.seed, kind="desk_pool")
        self.month = next_month().strftime("%Y-%m")

    def measure(self, label, inputs, run, **kwargs) -> None:
        from spaces.extensions import db

        self.figures.append(
            kit.measure(
                label,
                inputs,
                run,
                warmup=self.args.warmup,
                budget=self.args.budget,
                fresh=db.session.remove,
                **kwargs,
            )
        )

    def run(self) -> None:
        n = self.args.runs + self.args.warmup
        if "book" in self.args.only:
            slots = kit.booking_slots(self.args.seed + 1, self.pools, n)
            self.measure(
                "sponsored booking check + write, in process",
                list(enumerate(slots)),
                lambda x: self.book(x, sponsored=True),
                note=kit.statuses,
            )
        if "book-plain" in self.args.only:
            slots = kit.booking_slots(self.args.seed + 2, self.pools, n)
            self.measure(
                "the same without a sponsor, in process",
                list(enumerate(slots)),
                lambda x: self.book(x, sponsored=False),
                note=kit.statuses,
            )
        runs = list(range(self.args.statement_runs + self.args.warmup))
        if "statement" in self.args.only:
            self.measure(
                f"statement of {self.month}, JSON, in process",
                runs,
                self.statement_json,
                note=lambda o: f"lines {o[-1] if o else 0}",
            )
        if "csv" in self.args.only:
            self.measure(
                f"statement of {self.month}, CSV, in process",
                runs,
                self.statement_csv,
                note=lambda o: f"lines {o[-1] if o else 0}",
            )

    def book(self, numbered, sponsored: bool):
        from zoneinfo import ZoneInfo

        from spaces.accounts.models import User
        from spaces.bookings import requesting
        from spaces.db import transaction
        from spaces.errors import DomainError
        from spaces.extensions import db
        from spaces.inputs import parse_window

        n, (target, start_text, end_text) = numbered
        actor = db.session.get(User, self.staff[(n * 7919) % len(self.staff)])
        start, end = parse_window(start_text, end_text, ZoneInfo(target.timezone), ordered=False)
        try:
            with transaction(expire_on_commit=False, keep_loaded=True):
                requesting.request_booking(
                    actor,
                    target.unit_id,
                    start,
                    end,
                    1,
                    sponsor_organisation_id=self.org_id if sponsored else None,
                )
        except DomainError as error:
            return f"{error.status} {error.code}"
        return 201

    def _organisation(self):
        from spaces.extensions import db
        from spaces.organisations.models import Organisation

        return db.session.get(Organisation, self.org_id)

    def statement_json(self, _n) -> int:
        from spaces.employers.statements import statement

        st = statement(self._organisation(), self.month)
        json.dumps(st.as_json())
        return len(st.lines)

    def statement_csv(self, _n) -> int:
        from spaces.employers.statements import statement, statement_csv

        st = statement(self._organisation(), self.month)
        statement_csv(st)
        return len(st.lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--staff", type=int, default=10_000)
    parser.add_argument("--share", type=int, default=5, help="one booking in N is sponsored")
    parser.add_argument("--statement-lines", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=50, help="counted bookings per case")
    parser.add_argument("--statement-runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--budget", type=float, default=60.0, help="seconds per case, at most")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--only", default=",".join(CASES), help=f"among {', '.join(CASES)}")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set DATABASE_URL")
    args.only = {c.strip() for c in args.only.split(",") if c.strip()}
    if args.only - set(CASES):
        parser.error(f"unknown case(s): {', '.join(sorted(args.only - set(CASES)))}")
    from spaces.config import normalise_database_url

    database_url = normalise_database_url(args.database_url)
    app = kit.make_app(database_url)
    with app.app_context():
        import sqlalchemy as sa

        from spaces.extensions import db

        backend = db.engine.dialect.name
        sizes = {
            table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("spaces", "units", "bookings")
        }
        db.session.remove()
        print(f"== {backend}: " + ", ".join(f"{n} {t}" for t, n in sizes.items()), flush=True)
        print(f"== {kit.machine()}", flush=True)
        bench = Bench(args)
        bench.run()
        print(f"== done, load average {kit.load_average()}", flush=True)
        if args.json:
            Path(args.json).write_text(
                json.dumps(
                    {
                        "backend": backend,
                        "sizes": sizes,
                        "machine": kit.machine(),
                        "figures": [f.row() for f in bench.figures],
                    },
                    indent=2,
                    ensure_ascii=False,
                )
            )
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    main()
