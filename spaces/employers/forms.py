"""The sponsorship settings form, shared by the API (PUT …/sponsorship) and the employer page."""

from __future__ import annotations

import functools

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.validators import Optional, ValidationError

from spaces.forms import BaseForm, MoneyField, NumberRange, choices
from spaces.geo.communes import CURRENT_KINDS, load_index
from spaces.listings.vocabulary import SPACE_KINDS

MAX_BUDGET = 10_000_000  # cents: 100 000 € a month is far beyond any desk budget
MAX_COMMUNES = 500


@functools.cache
def known_communes() -> dict[str, str]:
    """INSEE code → name of every current commune the offline geocoder knows (built once)."""
    return {c.insee: c.name for c in load_index().communes if c.kind in CURRENT_KINDS}


def _communes_known(form, field) -> None:
    codes = field.data or []
    if len(codes) > MAX_COMMUNES:
        raise ValidationError(_l("At most %(n)s communes.", n=MAX_COMMUNES))
    known = known_communes()
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(
            _l("Unknown INSEE code: %(codes)s.", codes=", ".join(sorted(unknown)[:5]))
        )


class SponsorshipForm(BaseForm):
    """Budgets in cents (typed euros on the page); an empty field or list means no limit."""

    monthly_budget_per_member = MoneyField(
        _l("Monthly budget per member"),
        validators=[Optional(), NumberRange(min=0, max=MAX_BUDGET)],
    )
    monthly_budget_total = MoneyField(
        _l("Monthly budget for the whole organisation"),
        validators=[Optional(), NumberRange(min=0, max=MAX_BUDGET)],
    )
    allowed_kinds = SelectMultipleField(
        _l("Kinds of places paid for"), choices=choices(SPACE_KINDS.items())
    )
    # Thousands of communes: checked against the geocoder's list, not rendered as options.
    allowed_communes = SelectMultipleField(
        _l("Communes paid for"), validate_choice=False, validators=[_communes_known]
    )

    def settings(self) -> dict:
        """The values to store: None for every limit left empty."""
        return {
            "monthly_budget_per_member": self.monthly_budget_per_member.data,
            "monthly_budget_total": self.monthly_budget_total.data,
            "allowed_kinds": list(self.allowed_kinds.data or []) or None,
            "allowed_communes": list(self.allowed_communes.data or []) or None,
        }
