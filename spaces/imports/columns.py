"""The columns of a listing spreadsheet and the headers, French or English, that name them.

``match_header`` maps each header cell to a column key (or None for a column we do not read), by
the normalised header (``spaces.geo.communes.normalize``: case, accents and punctuation ignored).
"""

from __future__ import annotations

from spaces.geo.communes import normalize

# Column keys in the template's order.
COLUMNS = (
    "reference",
    "name",
    "address",
    "postal_code",
    "commune",
    "insee",
    "surface",
    "capacity",
    "space_kind",
    "unit_kind",
    "available_from",
    "available_until",
    "hour",
    "half_day",
    "day",
    "month",
    "services",
    "description",
)
PRICE_COLUMNS = ("hour", "half_day", "day", "month")

# Headers people write, English and French, besides the key itself; normalised when matched.
ALIASES: dict[str, tuple[str, ...]] = {
    "reference": ("ref", "réf", "référence", "reference", "identifiant", "id", "n° inventaire"),
    "name": ("nom", "name", "intitulé", "libellé", "nom du lieu", "place", "lieu", "title"),
    "address": ("adresse", "address", "adresse postale", "rue", "street"),
    "postal_code": ("code postal", "cp", "postal code", "postcode", "zip", "zip code"),
    "commune": ("commune", "ville", "city", "town", "municipality", "localité"),
    "insee": ("code insee", "insee", "insee code", "code commune", "cog"),
    "surface": ("surface", "surface m²", "surface (m²)", "surface m2", "superficie", "area", "m²"),
    "capacity": (
        "capacité",
        "capacity",
        "places",
        "nombre de places",
        "personnes",
        "nombre de personnes",
        "seats",
        "people",
    ),
    "space_kind": ("type de lieu", "kind of place", "space kind", "type", "kind", "catégorie"),
    "unit_kind": (
        "type d'offre",
        "kind of offer",
        "unit kind",
        "offre",
        "offer",
        "type de location",
        "type de local",
    ),
    "available_from": (
        "disponible à partir du",
        "disponible du",
        "disponible le",
        "date de début",
        "début",
        "available from",
        "from",
        "start",
    ),
    "available_until": (
        "disponible jusqu'au",
        "disponible au",
        "date de fin",
        "fin",
        "available until",
        "until",
        "end",
    ),
    "hour": ("prix à l'heure", "prix heure", "tarif horaire", "heure", "price per hour", "hour"),
    "half_day": (
        "prix à la demi-journée",
        "prix demi-journée",
        "tarif demi-journée",
        "demi-journée",
        "price per half-day",
        "half-day",
        "half day",
    ),
    "day": (
        "prix à la journée",
        "prix journée",
        "tarif journalier",
        "tarif journée",
        "journée",
        "price per day",
        "day",
    ),
    "month": (
        "loyer mensuel",
        "prix au mois",
        "loyer",
        "prix mensuel",
        "tarif mensuel",
        "mois",
        "price per month",
        "monthly rent",
        "rent",
        "month",
    ),
    "services": ("services", "équipements", "equipements", "equipment", "amenities"),
    "description": ("description", "descriptif", "commentaire", "remarques"),
}


def _key(text: str) -> str:
    """A header as compared: normalised, with "euros" and "€" and "(EUR)" ignored."""
    words = [w for w in normalize(text.replace("€", " ")).split() if w not in {"eur", "euros"}]
    return " ".join(words)


_BY_HEADER = {_key(alias): column for column, names in ALIASES.items() for alias in names}
_BY_HEADER.update({_key(column.replace("_", " ")): column for column in COLUMNS})


def match_header(text: str) -> str | None:
    """The column a header cell names, or None."""
    return _BY_HEADER.get(_key(text or ""))
