"""Every model module, imported once so the metadata is complete (migrations, tests)."""

from spaces.accounts.models import ApiToken, User
from spaces.availability.models import Closure, OpeningWindow
from spaces.listings.models import Photo, Space, SpaceService, Unit
from spaces.organisations.models import Invitation, Membership, Organisation

__all__ = [
    "ApiToken",
    "Closure",
    "Invitation",
    "Membership",
    "OpeningWindow",
    "Organisation",
    "Photo",
    "Space",
    "SpaceService",
    "Unit",
    "User",
]
