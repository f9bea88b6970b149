"""Listing forms: the rules for spaces, units, opening hours and closures (pages and API)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from spaces.forms import BaseForm, MoneyField, NumberRange, SubForm, choices
from spaces.listings.vocabulary import BOOKING_MODES, SERVICES, SPACE_KINDS, UNIT_KINDS
from spaces.timeutils import is_timezone

MAX_PRICE_CENTS = 10_000_000  # 100,000 EUR
MAX_MINUTES = 366 * 24 * 60


def _optional_int(minimum: int, maximum: int, label) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(min=minimum, max=maximum)])


class SpaceForm(BaseForm):
    organisation_id = IntegerField(
        _l("Organisation"), validators=[DataRequired(message=_l("Choose an organisation."))]
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)]
    )
    kind = SelectField(
        _l("Kind of place"), choices=choices(SPACE_KINDS.items()), validators=[DataRequired()]
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    postal_code = StringField(
        _l("Postal code"),
        validators=[
            Optional(),
            Regexp(r"^\d{5}$", message=_l("A French postal code has 5 digits.")),
        ],
    )
    commune = StringField(
        _l("Commune"), validators=[DataRequired(message=_l("Enter the commune.")), Length(max=120)]
    )
    latitude = FloatField(_l("Latitude"), validators=[Optional(), NumberRange(min=-90, max=90)])
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(min=-180, max=180)])
    timezone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64)])
    services = SelectMultipleField(
        _l("Services"), choices=choices(SERVICES.items()), validators=[Optional()]
    )
    available_from = DateField(_l("Available from"), validators=[Optional()])
    available_until = DateField(_l("Available until"), validators=[Optional()])
    capacity_cap_percent = IntegerField(
        _l("Capacity cap (%)"), default=100, validators=[Optional(), NumberRange(min=1, max=100)]
    )
    closed_on_public_holidays = BooleanField(_l("Closed on public holidays"))
    accessibility = TextAreaField(_l("Accessibility"), validators=[Optional(), Length(max=2000)])
    house_rules = TextAreaField(_l("House rules"), validators=[Optional(), Length(max=5000)])
    contact_email = StringField(
        _l("Contact e-mail"),
        validators=[
            Optional(),
            Length(max=254),
            Email(message=_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
    )
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])

    def validate_timezone(self, field):
        if field.data and not is_timezone(field.data):
            raise ValidationError(_l("Unknown time zone (e.g. Europe/Paris)."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if (
            not self.latitude.errors
            and not self.longitude.errors
            and ((self.latitude.data is None) != (self.longitude.data is None))
        ):
            missing = self.longitude if self.longitude.data is None else self.latitude
            missing.errors = [*missing.errors, _l("Give both latitude and longitude, or neither.")]
            return False
        return valid

    def validate_available_until(self, field):
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("The end of the availability period is before its start."))


MAX_TERM_DAYS = 1461  # a term booking lasts four years at most (bookings.rules.MAX_TERM_DAYS)
MAX_REQUEST_EXPIRY_HOURS = 2160  # 90 days


class PricesForm(SubForm):
    """Prices in cents per rate; a missing rate is not offered, 0 is free."""

    hour = MoneyField(
        _l("Price per hour"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE_CENTS)]
    )
    half_day = MoneyField(
        _l("Price per half-day"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE_CENTS)]
    )
    day = MoneyField(
        _l("Price per day"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE_CENTS)]
    )
    month = MoneyField(
        _l("Price per month"), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE_CENTS)]
    )


class UnitForm(BaseForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Enter a name.")), Length(max=160)]
    )
    kind = SelectField(_l("Kind"), choices=choices(UNIT_KINDS.items()), validators=[DataRequired()])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            DataRequired(message=_l("Say how many people it takes.")),
            NumberRange(min=1, max=10000),
        ],
    )
    prices = FormField(PricesForm)
    booking_mode = SelectField(
        _l("Booking"), choices=choices(BOOKING_MODES.items()), default="instant"
    )
    min_minutes = _optional_int(1, MAX_MINUTES, _l("Minimum duration (minutes)"))
    max_minutes = _optional_int(1, MAX_MINUTES, _l("Maximum duration (minutes)"))
    notice_minutes = _optional_int(0, MAX_MINUTES, _l("Notice (minutes before the start)"))
    cancel_until_minutes = _optional_int(
        0, MAX_MINUTES, _l("Free cancellation until (minutes before the start)")
    )
    min_term_days = _optional_int(1, MAX_TERM_DAYS, _l("Shortest period (days)"))
    max_term_days = _optional_int(1, MAX_TERM_DAYS, _l("Longest period (days)"))
    request_expiry_hours = _optional_int(
        1, MAX_REQUEST_EXPIRY_HOURS, _l("A request waits for the host (hours)")
    )

    def validate_max_term_days(self, field):
        if field.data and self.min_term_days.data and field.data < self.min_term_days.data:
            raise ValidationError(_l("The longest period is shorter than the shortest."))

    # The unit this one is part of (an office in a building booked whole); the page offers the
    # space's other units in a list, the API takes an id or null. The service checks the family.
    part_of = _optional_int(1, 2_147_483_647, _l("Part of"))

    def validate_max_minutes(self, field):
        if field.data and self.min_minutes.data and field.data < self.min_minutes.data:
            raise ValidationError(_l("The maximum duration is shorter than the minimum."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        prices = self.prices.form
        if not prices.errors and all(
            getattr(prices, rate).data is None for rate in ("hour", "half_day", "day", "month")
        ):
            # FormField takes no validators of its own: the error is kept beside the form's.
            self.extra_errors = {"prices": [_l("Offer at least one rate (0 for free).")]}
            return False
        return valid
