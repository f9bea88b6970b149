"""Every model module, imported once so the metadata is complete (migrations, tests)."""

from spaces.accounts.models import ApiToken, User
from spaces.availability.models import Closure, OpeningWindow
from spaces.bookings.models import Booking, Series
from spaces.calendars.models import BusyBlock, CalendarImport, CalendarToken
from spaces.calls.models import Application, Call
from spaces.employers.models import Sponsorship, StatementMailing
from spaces.imports.models import ListingImport
from spaces.listings.models import Photo, Space, SpaceService, Unit
from spaces.observatory.models import SearchLog, TerritoryCommune
from spaces.organisations.models import Invitation, Membership, Organisation

__all__ = [
    "ApiToken",
    "Application",
    "Booking",
    "BusyBlock",
    "Call",
    "CalendarImport",
    "CalendarToken",
    "Closure",
    "Invitation",
    "ListingImport",
    "Membership",
    "OpeningWindow",
    "Organisation",
    "Photo",
    "SearchLog",
    "Series",
    "Space",
    "Sponsorship",
    "StatementMailing",
    "SpaceService",
    "TerritoryCommune",
    "Unit",
    "User",
]
