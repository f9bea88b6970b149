"""A municipality's territory (INSEE codes of the offline index) and a person's home commune."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from spaces.accounts.models import User
from spaces.errors import Invalid
from spaces.extensions import db
from spaces.geo.nearby import communes_by_insee
from spaces.observatory.models import TerritoryCommune
from spaces.organisations.models import Organisation


def require_municipality(organisation: Organisation) -> None:
    """Invalid (422) unless the organisation is a municipality: only they have a territory."""
    if organisation.kind != "municipality":
        raise Invalid(
            _l("Only a municipality has a territory and an observatory."),
            code="not_a_municipality",
        )


def territory_codes(organisation: Organisation) -> list[str]:
    """The INSEE codes of the organisation's territory, sorted."""
    return list(
        db.session.scalars(
            sa.select(TerritoryCommune.insee_code)
            .where(TerritoryCommune.organisation_id == organisation.id)
            .order_by(TerritoryCommune.insee_code)
        )
    )


def check_codes(codes: Iterable[str], field_name: str = "communes") -> list[str]:
    """The codes without duplicates, in order; Invalid (422) naming the unknown ones."""
    codes = list(dict.fromkeys(codes))
    known = communes_by_insee()
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise Invalid(
            fields={
                field_name: [_l("Unknown INSEE code: %(codes)s.", codes=", ".join(unknown[:10]))]
            }
        )
    return codes


def set_territory(organisation: Organisation, codes: Iterable[str]) -> list[str]:
    """Replace the territory with these known INSEE codes (flushes, never commits)."""
    require_municipality(organisation)
    codes = check_codes(codes)
    db.session.execute(
        sa.delete(TerritoryCommune).where(TerritoryCommune.organisation_id == organisation.id)
    )
    db.session.add_all(
        TerritoryCommune(organisation_id=organisation.id, insee_code=c) for c in codes
    )
    db.session.flush()
    return sorted(codes)


def commune_name(code: str) -> str:
    commune = communes_by_insee().get(code)
    return commune.name if commune else code


def set_home_commune(user: User, code: str | None) -> None:
    """Set (a known INSEE code) or remove (None) the person's home commune."""
    user.home_commune = check_codes([code], "home_commune")[0] if code else None
    db.session.flush()


def with_arrondissements(codes: list[str]) -> dict[str, str]:
    """Every code a territory's figures read, mapped to the territory's commune it counts in: its
    own codes, and the municipal arrondissements of Paris, Lyon and Marseille when the city is in
    the territory and they are not (places, points and homes may be coded either way)."""
    wanted = set(codes)
    mapped = {code: code for code in codes}
    for commune in communes_by_insee().values():
        if commune.kind == "ARM" and commune.parent in wanted and commune.insee not in wanted:
            mapped[commune.insee] = commune.parent
    return mapped
