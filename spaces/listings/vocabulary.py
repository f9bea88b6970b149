"""Fixed vocabularies of listings (kinds, services), with their labels for people."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

SPACE_KINDS = {
    "vacant_public": _l("Vacant public premises"),
    "private_premises": _l("Private premises"),
    "coworking": _l("Coworking / third place"),
    "residence": _l("Residence room"),
    "other": _l("Other"),
}

UNIT_KINDS = {
    "desk_pool": _l("Shared desks"),
    "office": _l("Private office"),
    "meeting_room": _l("Meeting room"),
    "whole_premises": _l("Whole premises"),
}

BOOKING_MODES = {
    "instant": _l("Instant booking"),
    "request": _l("On request"),
}

SERVICES = {
    "wifi": _l("Wi-Fi"),
    "printer": _l("Printer"),
    "meeting_room": _l("Meeting room"),
    "childcare": _l("Childcare"),
    "library": _l("Library"),
    "digital_help": _l("Help with digital tools"),
    "kitchen": _l("Kitchen"),
    "parking": _l("Car park"),
    "bike_parking": _l("Bike parking"),
    "accessible": _l("Wheelchair accessible"),
    "quiet_zone": _l("Quiet zone"),
    "phone_booth": _l("Phone booth"),
    "animation": _l("Community events"),
    "coffee": _l("Coffee and tea"),
    "lockers": _l("Lockers"),
    "showers": _l("Showers"),
}

SPACE_STATUSES = ("draft", "published", "archived")
RATES = ("hour", "half_day", "day", "month")
RATE_LABELS = {
    "hour": _l("per hour"),
    "half_day": _l("per half-day"),
    "day": _l("per day"),
    "month": _l("per month"),
}
