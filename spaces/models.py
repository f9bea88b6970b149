"""Every model module, imported once so the metadata is complete (migrations, tests)."""

from spaces.accounts.models import ApiToken, User
from spaces.organisations.models import Invitation, Membership, Organisation

__all__ = ["ApiToken", "Invitation", "Membership", "Organisation", "User"]
