"""Suggestions from the offline communes index: close names for a misspelt or unknown commune
(the territory's départements first), and names that begin with what is being typed."""

from __future__ import annotations

import pytest

from spaces.geo.communes import edit_distance, load_index

TOURAINE = frozenset({"37"})


def names(communes) -> list[tuple[str, str]]:
    return [(c.name, c.departement) for c in communes]


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("Loche", ("Loches", "37")),  # the index matches "Loche" to Loché (71), a former commune
        ("Chinnon", ("Chinon", "37")),
        ("Cihnon", ("Chinon", "37")),  # two letters swapped
        ("Amboisse", ("Amboise", "37")),
        ("Sainte-Maure", ("Sainte-Maure-de-Touraine", "37")),  # begins a longer name
        ("Ste Maure de Tourraine", ("Sainte-Maure-de-Touraine", "37")),
    ],
)
def test_close_names_come_first(typed, first):
    suggested = names(load_index().suggest(typed, prefer=TOURAINE))
    assert suggested[0] == first, suggested


def test_suggestions_are_current_communes_other_than_the_name_typed():
    index = load_index()
    assert all(c.kind in {"COM", "ARM"} for c in index.suggest("Loche"))
    assert "Loches" not in [c.name for c in index.suggest("Loches")]
    assert index.suggest("x") == [] and index.suggest("Zzzzqqqq") == []
    assert len(index.suggest("Saint", limit=3)) <= 3


def test_completion_of_a_name_being_typed():
    index = load_index()
    assert names(index.complete("Loc", prefer=TOURAINE))[0] == ("Loches", "37")
    assert names(index.complete("Sainte-M", prefer=TOURAINE))[0] == (
        "Sainte-Maure-de-Touraine",
        "37",
    )
    assert names(index.complete("tours"))[0] == ("Tours", "37")  # the most populous first
    assert index.complete("L") == []
    assert ("Loches", "37") in names(index.complete("3760"))  # a postal code being typed


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("loche", "loches", 2, 1),
        ("chinon", "cihnon", 2, 1),
        ("amboise", "amboisse", 2, 1),
        ("tours", "loches", 2, 3),  # over the limit: limit + 1
        ("", "abc", 5, 3),
    ],
)
def test_edit_distance(a, b, limit, expected):
    assert edit_distance(a, b, limit) == expected
