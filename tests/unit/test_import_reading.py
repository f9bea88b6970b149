"""Reading a spreadsheet's bytes (``spaces.imports.reading``) and naming its columns
(``spaces.imports.columns``): what Excel and LibreOffice export, within bounds."""

from __future__ import annotations

import pytest

from spaces.imports.columns import match_header
from spaces.imports.reading import MAX_ROWS, Unreadable, read_table


def test_semicolons_commas_and_tabs_are_told_apart_by_the_header_line():
    for separator in (";", ",", "\t"):
        text = separator.join(["Nom", "Commune", "Loyer mensuel"]) + "\r\n"
        text += separator.join(["Mairie", "Loches", '"1 200,50"']) + "\r\n"
        table = read_table(text.encode("utf-8"))
        assert table.header == ["Nom", "Commune", "Loyer mensuel"]
        assert table.rows == [(2, ["Mairie", "Loches", "1 200,50"])]


def test_utf8_with_a_byte_order_mark_and_windows_1252_read_the_same():
    text = "Référence;Nom\r\nA-1;Salle des fêtes\r\n"
    for data in ("\ufeff" + text).encode("utf-8"), text.encode("cp1252"):
        table = read_table(data)
        assert table.header == ["Référence", "Nom"]
        assert table.rows[0][1] == ["A-1", "Salle des fêtes"]


def test_empty_rows_are_skipped_and_line_numbers_kept():
    table = read_table(b"\r\nNom;Commune\r\n;\r\nA;Loches\r\n\r\nB;Tours\r\n")
    assert [number for number, _ in table.rows] == [4, 6]


def test_rows_beyond_the_bound_are_refused():
    ok = "Nom\r\n" + "x\r\n" * MAX_ROWS
    assert len(read_table(ok.encode()).rows) == MAX_ROWS
    with pytest.raises(Unreadable) as error:
        read_table((ok + "y\r\n").encode())
    assert error.value.code == "too_many_rows"


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("Code INSEE", "insee"),
        ("code_insee", "insee"),
        ("LOYER MENSUEL (€)", "month"),
        ("Prix à la demi-journée", "half_day"),
        ("Surface (m²)", "surface"),
        ("surface m2", "surface"),
        ("Disponible jusqu’au", "available_until"),
        ("Type d'offre", "unit_kind"),
        ("Price per month", "month"),
        ("month", "month"),
        ("Commune", "commune"),
        ("CP", "postal_code"),
        ("Couleur", None),
    ],
)
def test_french_and_english_headers_name_the_columns(header, column):
    assert match_header(header) == column
