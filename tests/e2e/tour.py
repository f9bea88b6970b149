"""The main pages of the Touraine demo, by role, at a phone's and a desktop's size.

Visited by ``tests/e2e/test_layout.py`` (nothing scrolls sideways, no serious axe violation, the
menu each role sees) and photographed by ``scripts/screenshots.py``. The demo (``spaces.demo``)
has a teleworker, a coworking host, a municipality and an employer (its owner, a manager and a
member of its staff); ``make_admin`` makes one of its teleworkers, Hugo, an administrator through
the ``admin create`` command.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

SIZES = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}

ACCOUNTS = {
    "anonymous": None,
    "teleworker": "camille.martin@example.org",
    "host": "accueil@la-cantine-tours.example.org",
    "municipality": "patrimoine@mairie-loches.example.org",
    "employer": "rh@touraine-logistique.example.org",
    # Touraine Logistique's manager in Loches, and Samir in Chinon, a member of its staff.
    "employer-manager": "claire.fontaine@touraine-logistique.example.org",
    "staff": "samir.benali@touraine-logistique.example.org",
    "admin": "hugo.bernard@example.org",
    # Chinon's buildings department: its call for occupation of the school wing.
    "town": "batiments@ville-chinon.example.org",
}
ROLES = tuple(ACCOUNTS)

# The main-menu items (data-testid) each role sees; every other item of MENU_ITEMS is absent.
MENU_ITEMS = (
    "my-bookings",
    "calendars-link",
    "my-places",
    "host-bookings",
    "organisations-link",
    "moderation-link",
    "calls-link",
    "employer-link",
)
TELEWORKER_MENU = {"my-bookings", "calendars-link", "calls-link"}
HOST_MENU = TELEWORKER_MENU | {"my-places", "host-bookings", "organisations-link"}
MENUS = {
    "anonymous": {"calls-link"},
    "teleworker": TELEWORKER_MENU,
    "host": HOST_MENU,
    "municipality": HOST_MENU,
    # Touraine Logistique lists no place: no host item. Its owners and managers see its pages;
    # its staff only choose it as "Paid by" on the booking form.
    "employer": TELEWORKER_MENU | {"organisations-link", "employer-link"},
    "employer-manager": TELEWORKER_MENU | {"organisations-link", "employer-link"},
    "staff": TELEWORKER_MENU | {"organisations-link"},
    "admin": TELEWORKER_MENU | {"moderation-link"},
    "town": HOST_MENU,
}


@dataclass(frozen=True)
class Stop:
    name: str  # short, for file names and failure messages
    path: str


def make_admin(app) -> None:
    """Hugo (a demo teleworker) becomes an administrator, as an operator would make one."""
    from spaces.demo import DEMO_PASSWORD

    result = app.test_cli_runner().invoke(
        args=[
            "admin",
            "create",
            "--email",
            ACCOUNTS["admin"],
            "--name",
            "Hugo Bernard",
            "--password",
            DEMO_PASSWORD,
        ]
    )
    assert result.exit_code == 0, result.output


def tour(app) -> dict[str, list[Stop]]:
    """Role → the pages to visit, with the demo's ids filled in."""
    from spaces.accounts.services import find_user_by_email
    from spaces.bookings.models import Booking
    from spaces.calls.models import Call
    from spaces.extensions import db
    from spaces.listings.models import Space, Unit

    with app.app_context():

        def space(name: str) -> Space:
            found = db.session.scalar(sa.select(Space).where(Space.name == name))
            assert found is not None, f"no demo place named {name!r}"
            return found

        cantine = space("La Cantine — Tours Gare")
        cale = space("La Cale — tiers-lieu chinonais")
        perception = space("Ancienne perception")
        pool = next(u for u in cantine.units if u.kind == "desk_pool")
        office = next(u for u in perception.units if u.part_of is not None)  # linked units
        camille = find_user_by_email(ACCOUNTS["teleworker"])
        camille_booking = db.session.scalar(
            sa.select(Booking.id).where(Booking.user_id == camille.id).order_by(Booking.id)
        )
        camille_term = db.session.scalar(
            sa.select(Booking.id).where(Booking.user_id == camille.id, Booking.kind == "term")
        )
        cantine_booking = db.session.scalar(
            sa.select(Booking.id)
            .join(Booking.unit)
            .where(Unit.space_id == cantine.id)
            .order_by(Booking.id)
        )
        call = db.session.scalar(sa.select(Call).order_by(Call.id))
        ids = {
            "call": call.id,
            "call_unit": call.unit_id,
            "call_space": call.unit.space_id,
            "perception_unit": perception.units[0].id,
            "cantine": cantine.id,
            "cantine_org": cantine.organisation_id,
            "perception": perception.id,
            "loches_org": perception.organisation_id,
            "pool": pool.id,
            "cale_pool": next(u for u in cale.units if u.kind == "desk_pool").id,
            "perception_office": office.id,
            "camille_booking": camille_booking,
            "camille_term": camille_term,
            "cantine_booking": cantine_booking,
            "loches_import": _staged_import(
                app, find_user_by_email(ACCOUNTS["municipality"]), perception.organisation_id
            ),
            "employer_org": next(
                m.organisation_id
                for m in find_user_by_email(ACCOUNTS["employer"]).memberships
                if m.organisation.kind == "employer"
            ),
        }
        db.session.remove()

    everyone = [
        Stop("home", "/"),
        Stop("search", "/search?near=Tours"),
        Stop("space", "/spaces/{cantine}"),
        Stop("book-term", "/units/{pool}/book-term"),
        Stop("calls", "/calls"),
        Stop("call", "/calls/{call}"),
        Stop("call-space", "/spaces/{call_space}"),
    ]
    by_role = {
        "anonymous": [
            Stop("login", "/login"),
            Stop("register", "/register"),
            Stop("forgot-password", "/password/forgot"),
            Stop("not-found", "/no-such-page"),
        ],
        "teleworker": [
            Stop("my-bookings", "/bookings"),
            Stop("booking", "/bookings/{camille_booking}"),
            Stop("book", "/units/{pool}/book"),
            Stop("term-booking", "/bookings/{camille_term}"),
            Stop("account", "/account"),
            Stop("calendars", "/account/calendars"),
            Stop("my-applications", "/my/applications"),
        ],
        "host": [
            Stop("my-places", "/my/spaces"),
            Stop("requests", "/host/bookings"),
            Stop("booking", "/bookings/{cantine_booking}"),
            Stop("space-edit", "/spaces/{cantine}/edit"),
            Stop("unit-edit", "/spaces/{cantine}/units/{pool}/edit"),
            Stop("hours", "/spaces/{cantine}/hours"),
            Stop("closures", "/spaces/{cantine}/closures"),
            Stop("photos", "/spaces/{cantine}/photos"),
            Stop("unit-calendars", "/units/{pool}/calendars"),
            Stop("calendars", "/account/calendars"),
            Stop("organisation", "/organisations/{cantine_org}"),
            Stop("dues", "/organisations/{cantine_org}/dues"),
        ],
        "municipality": [
            Stop("my-places", "/my/spaces"),
            Stop("requests", "/host/bookings"),
            Stop("vacant-premises", "/spaces/{perception}"),
            Stop("closures", "/spaces/{perception}/closures"),
            Stop("organisation", "/organisations/{loches_org}"),
            Stop("import", "/my/spaces/import"),
            Stop("import-preview", "/my/spaces/import/{loches_import}"),
            Stop("call-new", "/units/{perception_unit}/calls/new"),
            Stop("our-calls", "/my/calls"),
            Stop("unit-edit", "/spaces/{perception}/units/{perception_office}/edit"),
        ],
        "employer": [
            Stop("organisations", "/organisations"),
            Stop("organisation", "/organisations/{employer_org}"),
            Stop("my-bookings", "/bookings"),
            Stop("account", "/account"),
            Stop("staff", "/organisations/{employer_org}/staff"),
            Stop("sponsored-bookings", "/organisations/{employer_org}/sponsored-bookings"),
            Stop("statement", "/organisations/{employer_org}/statement"),
            Stop("sponsorship", "/organisations/{employer_org}/sponsorship"),
        ],
        "employer-manager": [
            Stop("staff", "/organisations/{employer_org}/staff"),
            Stop("statement", "/organisations/{employer_org}/statement"),
        ],
        "staff": [
            Stop("book", "/units/{cale_pool}/book"),
            Stop("my-bookings", "/bookings?tab=past"),
            Stop("organisation", "/organisations/{employer_org}"),
        ],
        "admin": [
            Stop("moderation", "/admin/users"),
            Stop("my-applications", "/my/applications"),  # Hugo applied to Chinon's call
        ],
        "town": [
            Stop("my-places", "/my/spaces"),
            Stop("call-applications", "/calls/{call}/applications"),
            Stop("our-calls", "/my/calls"),
            Stop("call-new", "/units/{call_unit}/calls/new"),
        ],
    }
    # The administrator's pages are a teleworker's plus moderation: home and moderation suffice.
    common = dict.fromkeys(ROLES, everyone) | {
        "admin": everyone[:1],
        "town": everyone[:1],
        "employer-manager": everyone[:1],
        "staff": everyone[:1],
    }
    return {
        role: [Stop(s.name, s.path.format(**ids)) for s in common[role] + by_role[role]]
        for role in ROLES
    }


IMPORT_CSV = (
    "Référence;Nom;Adresse;Code postal;Commune;Surface (m²);Capacité;Type d'offre;"
    "Disponible à partir du;Prix à la journée;Loyer mensuel;Services\r\n"
    "LOCHES-101;Ancienne gendarmerie — bureaux du premier étage;12 rue Quintefol;37600;Loches;"
    "140;20;Local entier;01/03/2027;60;650;wifi, parking, accessible\r\n"
    "LOCHES-102;Salle du conseil;;;Beaulieu-lès-Loches;45;30;Salle de réunion;;35;;wifi\r\n"
)


def _staged_import(app, user, organisation_id: int) -> int:
    """A spreadsheet of two places, checked and ready to import (the preview page's data)."""
    from spaces.db import transaction
    from spaces.imports import services as imports

    with app.test_request_context(headers={"Accept-Language": "fr"}):
        preview = imports.preview_upload(user, organisation_id, IMPORT_CSV.encode("utf-8"))
        assert preview.ok, [row.errors for row in preview.rows]
        with transaction():
            return imports.stage_import(user, organisation_id, "lieux-vacants.csv", preview).id


def log_in(page, email: str) -> None:
    """Log in through the form (at any size: the form is in the page, not in the menu)."""
    from spaces.demo import DEMO_PASSWORD

    page.goto("/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/login" not in page.url, f"{email} could not log in"


# --- issue 15: the observatory's pages (appended; the tour above is unchanged) -----------------
# Every member of a municipality sees "Observatory" in the menu: Loches's and Chinon's staff.
MENU_ITEMS = (*MENU_ITEMS, "observatory-link")
MENUS = {
    **MENUS,
    "municipality": MENUS["municipality"] | {"observatory-link"},
    "town": MENUS["town"] | {"observatory-link"},
}
_tour_before_observatory = tour


def tour(app) -> dict[str, list[Stop]]:
    """The tour above, plus the observatory of Loches (its page and territory picker), the
    administrators' platform-wide view, Chinon's observatory and the public open data page."""
    from spaces.accounts.services import find_user_by_email
    from spaces.extensions import db

    stops = _tour_before_observatory(app)
    with app.app_context():
        towns = {
            role: next(
                m.organisation_id
                for m in find_user_by_email(ACCOUNTS[role]).memberships
                if m.organisation.kind == "municipality"
            )
            for role in ("municipality", "town")
        }
        db.session.remove()
    added = {
        "anonymous": [Stop("open-data", "/open-data")],
        "municipality": [
            Stop("observatory", f"/organisations/{towns['municipality']}/observatory"),
            Stop("territory", f"/organisations/{towns['municipality']}/territory"),
            Stop("account", "/account"),
        ],
        "town": [Stop("observatory", f"/organisations/{towns['town']}/observatory")],
        "admin": [Stop("observatory", "/admin/observatory")],
    }
    return {role: stops[role] + added.get(role, []) for role in stops}


# --- issue 15: the host's statistics (a space's, and its organisation's overview) -------------

_tour_without_host_stats = tour


def tour(app) -> dict[str, list[Stop]]:  # extends the tour above
    """The tour above, and the host's statistics pages for the host role."""
    from spaces.extensions import db
    from spaces.listings.models import Space

    stops = _tour_without_host_stats(app)
    with app.app_context():
        cantine = db.session.scalar(sa.select(Space).where(Space.name == "La Cantine — Tours Gare"))
        ids = {"cantine": cantine.id, "cantine_org": cantine.organisation_id}
        db.session.remove()
    stops["host"] = stops["host"] + [
        Stop("space-stats", "/spaces/{cantine}/stats".format(**ids)),
        Stop("organisation-stats", "/organisations/{cantine_org}/stats".format(**ids)),
    ]
    return stops
