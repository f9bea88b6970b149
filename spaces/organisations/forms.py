"""Organisation forms, shared by pages and API."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from spaces.accounts.forms import email_field
from spaces.forms import BaseForm, choices

KIND_CHOICES = [
    ("municipality", _l("Municipality")),
    ("landlord", _l("Landlord")),
    ("coworking", _l("Coworking / third place")),
    ("employer", _l("Employer")),
]
ROLE_CHOICES = [("member", _l("Member")), ("manager", _l("Manager")), ("owner", _l("Owner"))]


class OrganisationForm(BaseForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)]
    )
    kind = SelectField(
        _l("Kind"),
        choices=choices(KIND_CHOICES),
        validators=[DataRequired(message=_l("Choose a kind."))],
    )


class MemberForm(BaseForm):
    email = email_field()
    role = SelectField(_l("Role"), choices=choices(ROLE_CHOICES), default="member")
