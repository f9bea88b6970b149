"""Spreadsheet imports through HTTP: CSV and XLSX uploads, the preview with every bad row and
field named, nothing written until every row is right, one transaction, re-uploads that update.

Pages are read in English (the source language); some headers are French, as people export them.
"""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from spaces.extensions import db
from spaces.imports.models import ListingImport
from spaces.listings.models import Space, Unit
from tests.factories import csrf_from, log_in, make_organisation, make_user

HEADER_FR = "Référence;Nom;Adresse;Code postal;Commune;Surface (m²);Capacité;Type d'offre;Disponible à partir du;Disponible jusqu'au;Prix à la journée;Loyer mensuel;Services;Description"


@pytest.fixture
def client(app):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def host(app_ctx, client):
    user = make_user()
    organisation = make_organisation(user, name="Mairie de Loches", kind="municipality")
    log_in(client, user.email)
    return user, organisation


def fresh() -> None:
    db.session.rollback()


def upload(client, organisation, content: bytes, filename: str = "places.csv"):
    page = client.get("/my/spaces/import").get_data(as_text=True)
    return client.post(
        "/my/spaces/import",
        data={
            "csrf_token": csrf_from(page),
            "organisation_id": str(organisation.id),
            "file": (io.BytesIO(content), filename),
        },
        content_type="multipart/form-data",
    )


def run(client, response):
    """Follow a good upload to its preview, press Import, and return the page after it."""
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    url = response.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    action = re.search(r'<form method="post" action="([^"]+/run)"', page)[1]
    after = client.post(action, data={"csrf_token": csrf_from(page)})
    assert after.status_code == 302
    return client.get(after.headers["Location"])


def row_errors(html: str) -> dict[int, dict[str, str]]:
    """{line: {column: message}} from the preview."""
    found: dict[int, dict[str, str]] = {}
    for line, body in re.findall(
        r'<tr data-testid="preview-row" data-line="(\d+)"[^>]*>(.*?)</tr>', html, re.S
    ):
        for column, text in re.findall(
            r'<li data-testid="row-error" data-column="([a-z_]+)">(.*?)</li>', body, re.S
        ):
            found.setdefault(int(line), {})[column] = unescape(re.sub(r"<[^>]+>", "", text))
    return found


def spaces_of(organisation) -> list[Space]:
    fresh()
    query = sa.select(Space).where(Space.organisation_id == organisation.id).order_by(Space.id)
    return list(db.session.scalars(query))


GOOD_ROWS = [
    "LOC-1;Ancienne poste;2 place de l'Hôtel de Ville;37600;Loches;85;12;Local entier;01/01/2027;31/12/2027;40;450;wifi, parking;Rez-de-chaussée",
    "LOC-2;Salle des fêtes;;;Amboise;200,5;80;salle de réunion;2027-02-01;;;1 200,00 €;Wi-Fi, Accessible PMR;",
]


def csv_of(*rows: str, header: str = HEADER_FR, bom: bool = True) -> bytes:
    text = "\r\n".join([header, *rows]) + "\r\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def test_a_good_csv_previews_then_imports_drafts_in_one_go(client, host):
    user, organisation = host
    response = upload(client, organisation, csv_of(*GOOD_ROWS))
    assert spaces_of(organisation) == []  # the preview writes no place
    url = response.headers["Location"]
    preview = client.get(url).get_data(as_text=True)
    assert preview.count('data-testid="import-row" data-action="create"') == 2
    assert "Ancienne poste" in preview and "Loches (37600)" in preview and "INSEE 37132" in preview

    page = run(client, response).get_data(as_text=True)
    assert "Created as drafts: 2. Updated: 0." in page
    first, second = spaces_of(organisation)
    assert (first.name, first.status, first.import_reference) == (
        "Ancienne poste",
        "draft",
        "LOC-1",
    )
    assert (first.commune, first.insee_code, first.postal_code) == ("Loches", "37132", "37600")
    assert (first.available_from, first.available_until) == (date(2027, 1, 1), date(2027, 12, 31))
    assert first.surface_m2 == 85 and first.kind == "vacant_public"
    assert first.services == ["parking", "wifi"]
    assert abs(first.latitude - 47.128) < 0.01 and first.timezone == "Europe/Paris"
    (unit,) = first.units
    assert (unit.kind, unit.capacity, unit.price_day, unit.price_month) == (
        "whole_premises",
        12,
        4000,
        45000,
    )
    assert unit.booking_mode == "request" and unit.price_hour is None
    assert (second.commune, second.surface_m2, second.available_until) == ("Amboise", 200, None)
    assert second.services == ["accessible", "wifi"]
    assert (second.units[0].kind, second.units[0].price_month) == ("meeting_room", 120000)

    space_page = client.get(f"/spaces/{first.id}").get_data(as_text=True)
    assert '<span data-testid="surface">85 m²</span>' in space_page
    my_places = client.get("/my/spaces").get_data(as_text=True)
    assert "Ancienne poste" in my_places and "Salle des fêtes" in unescape(my_places)


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_written(client, host):
    _, organisation = host
    bad = [
        GOOD_ROWS[0],
        "LOC-2;Atelier;;;Nulle-Part-Sur-Loire;;4;;;;10;;;",  # unknown commune
        "LOC-3;Grange;;37600;Loches;;4;;01/06/2027;01/05/2027;10;;;",  # end before start
        "LOC-4;Bureau;;37600;Loches;;4;bureau;;;-5;;;",  # negative price
        "LOC-5;;;37600;Loches;;0;;;;10;;sauna;",  # no name, capacity 0, unknown service
        "LOC-1;Doublon;;37600;Loches;;4;;;;10;;;",  # the reference of line 2
    ]
    response = upload(client, organisation, csv_of(*bad))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    errors = row_errors(html)
    assert set(errors) == {3, 4, 5, 6, 7}
    assert "Commune" in errors[3]["commune"] and "Nulle-Part-Sur-Loire" in errors[3]["commune"]
    assert errors[4] == {
        "available_until": "Disponible jusqu'au: The end of the availability period is before its start."
    }
    assert errors[5] == {"day": "Prix à la journée: A price cannot be negative."}
    assert set(errors[6]) == {"name", "capacity", "services"}
    assert "sauna" in errors[6]["services"]
    assert "already has this reference" in errors[7]["reference"]
    assert "5 rows of 6 have errors" in html
    fresh()
    assert spaces_of(organisation) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListingImport)) == 0

    # Corrected, the same file goes through.
    response = upload(client, organisation, csv_of(GOOD_ROWS[0]))
    assert "Created as drafts: 1." in run(client, response).get_data(as_text=True)


def xlsx_of(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


XLSX_HEADER = [
    "Reference",
    "Name",
    "INSEE code",
    "Capacity",
    "Kind of offer",
    "Available from",
    "Available until",
    "Price per hour",
    "Price per month",
    "Services",
]


def test_an_xlsx_with_english_headers_reads_dates_and_numbers_as_cells(client, host):
    _, organisation = host
    rows = [
        XLSX_HEADER,
        [
            "T-1",
            "Old school",
            "37261",
            6.0,
            "office",
            date(2027, 3, 1),
            date(2027, 9, 30),
            7.5,
            None,
            "printer",
        ],
        [
            "T-2",
            "Bad dates",
            "37261",
            6,
            "office",
            date(2027, 9, 1),
            date(2027, 3, 1),
            7.5,
            None,
            "",
        ],
        ["T-3", "Bad price", "99999", 2.5, "office", None, None, -3, None, ""],
    ]
    response = upload(client, organisation, xlsx_of(rows), "places.xlsx")
    assert response.status_code == 422
    errors = row_errors(response.get_data(as_text=True))
    assert set(errors) == {3, 4}
    assert set(errors[3]) == {"available_until"}
    assert set(errors[4]) == {"insee", "capacity", "hour"}
    assert spaces_of(organisation) == []

    response = upload(client, organisation, xlsx_of(rows[:2]), "places.xlsx")
    assert "Created as drafts: 1." in run(client, response).get_data(as_text=True)
    (space,) = spaces_of(organisation)
    assert (space.commune, space.insee_code, space.available_from) == (
        "Tours",
        "37261",
        date(2027, 3, 1),
    )
    assert (space.units[0].capacity, space.units[0].price_hour, space.units[0].kind) == (
        6,
        750,
        "office",
    )


def test_a_second_upload_updates_the_places_with_the_same_reference(client, host):
    user, organisation = host
    run(client, upload(client, organisation, csv_of(*GOOD_ROWS)))
    before = {s.import_reference: s.id for s in spaces_of(organisation)}

    changed = [
        GOOD_ROWS[0].replace("Ancienne poste", "Ancienne poste rénovée").replace(";450;", ";500;"),
        "LOC-3;Grange;;37600;Loches;;4;;;;10;;;",
    ]
    response = upload(client, organisation, csv_of(*changed))
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-action="update"' in preview and 'data-action="create"' in preview
    assert "To create as drafts: 1. To update: 1." in preview
    page = run(client, response).get_data(as_text=True)
    assert "Created as drafts: 1. Updated: 1." in page

    after = {s.import_reference: s for s in spaces_of(organisation)}
    assert set(after) == {"LOC-1", "LOC-2", "LOC-3"}
    assert after["LOC-1"].id == before["LOC-1"]
    assert after["LOC-1"].name == "Ancienne poste rénovée"
    assert len(after["LOC-1"].units) == 1 and after["LOC-1"].units[0].price_month == 50000
    assert after["LOC-1"].units[0].price_day == 4000
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Unit))
    assert count == 3


def test_the_same_reference_in_another_organisation_is_another_place(client, host):
    user, organisation = host
    other = make_organisation(user, name="Communauté de communes")
    run(client, upload(client, organisation, csv_of(GOOD_ROWS[0])))
    run(client, upload(client, other, csv_of(GOOD_ROWS[0])))
    assert len(spaces_of(organisation)) == 1 and len(spaces_of(other)) == 1


def test_a_member_who_does_not_manage_cannot_import_nor_see_imports(client, host, app_ctx):
    from spaces.db import transaction
    from spaces.organisations.models import Membership

    user, organisation = host
    response = upload(client, organisation, csv_of(GOOD_ROWS[0]))
    url = response.headers["Location"]
    stranger = make_user()
    with transaction():
        db.session.add(Membership(user=stranger, organisation=organisation, role="member"))
    other = client.application.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    log_in(other, stranger.email)
    assert other.get(url).status_code == 404
    assert other.get(url + "/status").status_code == 404
    refused = upload(other, organisation, csv_of(GOOD_ROWS[1]))
    assert refused.status_code == 422
    assert "make you a manager" in refused.get_data(as_text=True)
    assert spaces_of(organisation) == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_template_reads_back_without_errors(client, host, fmt):
    _, organisation = host
    for language in ("en", "fr"):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        template = client.get(f"/my/spaces/import/template.{fmt}")
        assert template.status_code == 200
        assert "attachment" in template.headers["Content-Disposition"]
        body = template.data
        if fmt == "csv":
            assert body.startswith("\ufeff".encode())
        else:
            assert load_workbook(io.BytesIO(body)).active.max_row == 2
        response = upload(client, organisation, body, f"template.{fmt}")
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_the_status_endpoint_says_how_far_it_went(client, host):
    _, organisation = host
    response = upload(client, organisation, csv_of(*GOOD_ROWS))
    url = response.headers["Location"]
    assert client.get(url + "/status").json == {
        "status": "ready",
        "total": 2,
        "done": 0,
        "created": 0,
        "updated": 0,
    }
    run(client, response)
    assert client.get(url + "/status").json == {
        "status": "done",
        "total": 2,
        "done": 2,
        "created": 2,
        "updated": 0,
    }
    # Running it again does nothing more.
    page = client.get(url).get_data(as_text=True)
    assert "/run" not in page
    again = client.post(url + "/run", data={"csrf_token": csrf_from(page)})
    assert again.status_code == 302
    assert len(spaces_of(organisation)) == 2


# --- hostile input: a clear message, never a 500, nothing written -------------------------------


def _refused(client, organisation, content: bytes, filename: str) -> str:
    response = upload(client, organisation, content, filename)
    assert response.status_code in (413, 422), response.status_code
    fresh()
    assert spaces_of(organisation) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ListingImport)) == 0
    return unescape(response.get_data(as_text=True))


def _big_xlsx(rows: int) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(XLSX_HEADER)
    for n in range(rows):
        sheet.append([f"R-{n}", f"Place {n}", "37261", 4, "office", None, None, 5, None, ""])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.csv", "This file is empty."),
        (b"\r\n \r\n", "blank.csv", "This file is empty."),
        ("Référence;Nom;Commune\r\n".encode(), "header.csv", "has a header line but no rows"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "photo.csv", "not a spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.xls", "old Excel file (.xls)"),
        (b"PK\x03\x04" + bytes(100), "broken.xlsx", "not a spreadsheet"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\nendobj\n", "doc.pdf", "no column for"),
        (b"a;b;c\r\n1;2;3\r\n", "other.csv", "no column for: Reference, Name, Commune"),
    ],
)
def test_files_that_are_not_listing_spreadsheets_are_refused_clearly(
    client, host, content, filename, message
):
    _, organisation = host
    assert message in _refused(client, organisation, content, filename)


def test_a_zip_that_is_not_a_workbook_is_refused(client, host):
    import zipfile

    _, organisation = host
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    assert "not a spreadsheet" in _refused(client, organisation, out.getvalue(), "x.xlsx")


def test_ten_thousand_rows_are_refused_before_any_is_checked(client, host):
    _, organisation = host
    row = "R-{n};Place {n};;37600;Loches;;4;;;;10;;;"
    content = csv_of(*(row.format(n=n) for n in range(10_000)))
    assert len(content) < 2 * 1024 * 1024
    assert "more than 500 rows" in _refused(client, organisation, content, "many.csv")
    assert "more than 500 rows" in _refused(client, organisation, _big_xlsx(10_000), "many.xlsx")


def test_a_file_over_two_megabytes_is_refused(client, host):
    _, organisation = host
    content = csv_of(*(f"R-{n};{'x' * 5000};;37600;Loches;;4;;;;10;;;" for n in range(450)))
    assert len(content) > 2 * 1024 * 1024
    assert "larger than 2 MB" in _refused(client, organisation, content, "big.csv")


def test_a_huge_cell_is_refused_and_a_long_one_is_a_row_error(client, host):
    _, organisation = host
    huge = csv_of(f"R-1;{'x' * 200_000};;37600;Loches;;4;;;;10;;;")
    assert "Line 2 has a cell of more than 10000 characters" in _refused(
        client, organisation, huge, "huge.csv"
    ).replace("\u202f", "").replace(",", "")
    xlsx = xlsx_of([XLSX_HEADER, ["R-1", "y" * 30_000, "37261", 4, "office", None, None, 5]])
    assert "Line 2 has a cell of more than" in _refused(client, organisation, xlsx, "huge.xlsx")
    long_name = csv_of(f"R-1;{'x' * 500};;37600;Loches;;4;;;;10;;;")
    html = _refused(client, organisation, long_name, "long.csv")
    assert set(row_errors(html)[2]) == {"name"}


def test_no_file_and_no_organisation_are_form_errors(client, host):
    _, organisation = host
    assert "This file is empty." in _refused(client, organisation, b"", "")
    page = client.get("/my/spaces/import").get_data(as_text=True)
    response = client.post(
        "/my/spaces/import",
        data={"csrf_token": csrf_from(page), "organisation_id": "99999999999999999999"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Choose one of your organisations." in response.get_data(as_text=True)


def test_csv_from_excel_in_windows_1252_with_commas_reads(client, host):
    _, organisation = host
    text = 'Référence,Nom,Commune,Capacité,Loyer mensuel\r\nA-1,Mairie annexe,Chinon (37),5,"300,50"\r\n'
    response = upload(client, organisation, text.encode("cp1252"), "excel.csv")
    assert "Created as drafts: 1." in run(client, response).get_data(as_text=True)
    (space,) = spaces_of(organisation)
    assert (space.commune, space.units[0].price_month) == ("Chinon", 30050)


# --- the job: one transaction, and its progress -----------------------------------------------


def test_a_row_that_fails_while_writing_leaves_nothing_written(client, host):
    import json

    from spaces.db import transaction

    _, organisation = host
    rows = [f"F-{n};Lieu {n};;37600;Loches;;4;;;;10;;;" for n in range(30)]
    response = upload(client, organisation, csv_of(*rows))
    fresh()
    record = db.session.scalars(sa.select(ListingImport)).one()
    stored = record.rows
    stored[25]["unit"]["capacity"] = 0  # refused by the database, after 25 places were flushed
    with transaction():
        record.rows_json = json.dumps(stored)
    page = run(client, response).get_data(as_text=True)
    assert "The import failed" in page
    assert "nothing was written" in page
    assert spaces_of(organisation) == []
    assert client.get(response.headers["Location"] + "/status").json["status"] == "failed"


@pytest.mark.redis
def test_with_redis_the_import_waits_for_the_worker_and_reports_progress_there(
    app, client, host, redis_url
):
    from redis import Redis
    from rq import Queue, SimpleWorker

    _, organisation = host
    app.config["REDIS_URL"] = redis_url
    response = upload(client, organisation, csv_of(*GOOD_ROWS))
    url = response.headers["Location"]
    page = run(client, response).get_data(as_text=True)
    assert 'id="import-progress"' in page and "import-progress.js" in page
    assert "0 of 2 places written." in page
    assert client.get(url + "/status").json["status"] == "queued"
    assert spaces_of(organisation) == []

    connection = Redis.from_url(redis_url)
    SimpleWorker([Queue("spaces", connection=connection)], connection=connection).work(burst=True)
    assert client.get(url + "/status").json == {
        "status": "done",
        "total": 2,
        "done": 2,
        "created": 2,
        "updated": 0,
    }
    record_id = int(url.rsplit("/", 1)[1])
    assert connection.get(f"spaces:listing-import:{record_id}") == b"2"
    assert len(spaces_of(organisation)) == 2


def test_a_new_upload_replaces_the_preview_that_was_never_run(client, host):
    _, organisation = host
    upload(client, organisation, csv_of(GOOD_ROWS[0]))
    second = upload(client, organisation, csv_of(*GOOD_ROWS)).headers["Location"]
    assert client.get(second).get_data(as_text=True).count('data-testid="import-row"') == 2
    fresh()
    (kept,) = db.session.scalars(sa.select(ListingImport)).all()
    assert (kept.status, kept.total) == ("ready", 2)


def test_an_xlsx_that_unpacks_to_a_huge_sheet_is_refused_unread(client, host):
    import zipfile

    _, organisation = host
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", " " * (60 * 1024 * 1024))
    assert len(out.getvalue()) < 1024 * 1024
    assert "larger than 2 MB" in _refused(client, organisation, out.getvalue(), "bomb.xlsx")
