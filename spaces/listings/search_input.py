"""The search's input, one reading for the search page and ``GET /api/v1/search``.

``SearchForm`` holds every rule of the query string (``services`` comma-separated, as the API
documents, or repeated, as the page's checkboxes send it); ``parse_search_args`` turns the query
string into a ``SearchQuery`` or raises Invalid naming the bad parameters; a place that cannot be
found is Invalid(unknown_place) on ``near``.
"""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import Field, FloatField, IntegerField, StringField
from wtforms.validators import Length, Optional, ValidationError

from spaces.availability.filter import validate_term, validate_window
from spaces.errors import Invalid
from spaces.forms import SubForm
from spaces.geo.provider import place_or_invalid
from spaces.listings.search import DEFAULT_RADIUS_KM, MAX_RADIUS_KM, SearchQuery
from spaces.listings.vocabulary import SERVICES, SPACE_KINDS, UNIT_KINDS

NOT_A_NUMBER = _l("Must be a number.")
NOT_A_CHOICE = _l("Not a valid choice.")
SORTS = ("distance", "price")
YES, NO = ("1", "true", "on"), ("", "0", "false")


class Between:
    """A finite number between ``minimum`` and ``maximum`` (NaN and infinities refused)."""

    def __init__(self, minimum, maximum):
        self.minimum, self.maximum = minimum, maximum

    def __call__(self, form, field) -> None:
        value = field.data
        if value is None:
            return
        # Compared, never converted: NaN and infinities compare False, and an integer too large
        # for a float (math.isfinite would raise OverflowError) is simply out of range.
        if not self.minimum <= value <= self.maximum:
            raise ValidationError(
                _l(
                    "Must be between %(min)s and %(max)s.",
                    min=format_decimal(self.minimum),
                    max=format_decimal(self.maximum),
                )
            )


class OneOf:
    """Empty, or one of ``choices``."""

    def __init__(self, choices):
        self.choices = tuple(choices)

    def __call__(self, form, field) -> None:
        if field.data and field.data not in self.choices:
            raise ValidationError(NOT_A_CHOICE)


class CodesField(Field):
    """Service codes, comma-separated or repeated, in order, without duplicates."""

    def process_formdata(self, valuelist):
        codes = [code.strip() for value in valuelist for code in str(value).split(",")]
        self.data = tuple(dict.fromkeys(code for code in codes if code))

    def _value(self) -> str:
        return ",".join(self.data or ())


class _OwnMessage:
    """A number field whose "not a number" message is the search's own (translated)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(NOT_A_NUMBER) from error


class NumberField(_OwnMessage, FloatField):
    """A decimal number."""


class WholeNumberField(_OwnMessage, IntegerField):
    """A whole number."""


def _number_field(kind, minimum, maximum):
    field = NumberField if kind is float else WholeNumberField
    return field(validators=[Optional(), Between(minimum, maximum)])


class SearchForm(SubForm):
    """The search's query string: place, radius, window, seats, filters and order."""

    near = StringField(
        validators=[Optional(), Length(max=200)], filters=[lambda v: (v or "").strip()]
    )
    lat = _number_field(float, -90, 90)
    lon = _number_field(float, -180, 180)
    radius_km = _number_field(float, 0.1, MAX_RADIUS_KM)
    seats = _number_field(int, 1, 10000)
    max_price = _number_field(int, 0, 10**9)  # cents, for the interval
    services = CodesField(default=())
    kind = StringField(validators=[OneOf(UNIT_KINDS)])
    space_kind = StringField(validators=[OneOf(SPACE_KINDS)])
    instant = StringField(validators=[OneOf(YES + NO)])
    sort = StringField(validators=[OneOf(SORTS)])
    start = StringField(validators=[Optional(), Length(max=40)])
    end = StringField(validators=[Optional(), Length(max=40)])
    start_date = StringField(validators=[Optional(), Length(max=10)])  # a term's first day
    end_date = StringField(validators=[Optional(), Length(max=10)])  # and its last, inclusive
    term_days: tuple | None = None

    def validate_services(self, field) -> None:
        unknown = [code for code in field.data or () if code not in SERVICES]
        if unknown:
            raise ValidationError(_l("Unknown service: %(codes)s.", codes=", ".join(unknown[:5])))

    def errors_by_name(self) -> dict:
        """Every field error, plus those that need two fields (lat with lon, the window, sort)."""
        errors = {name: list(messages) for name, messages in self.errors.items()}
        lat, lon = self.lat.data, self.lon.data
        if (lat is None) != (lon is None) and "lat" not in errors and "lon" not in errors:
            errors["lon" if lon is None else "lat"] = [_l("Give both lat and lon.")]
        start, end = self.start.data or None, self.end.data or None
        first, last = self.start_date.data or None, self.end_date.data or None
        if self.sort.data == "price" and not start and not first:
            errors["sort"] = [_l("Sorting by price needs a start and an end.")]
        if (first or last) and (start or end):
            errors["start_date"] = [
                _l("Give either a start and an end, or a first and a last day.")
            ]
        elif first or last:
            if "start_date" not in errors and "end_date" not in errors:
                term_errors, self.term_days = validate_term(first, last)
                errors.update(term_errors)
        elif "start" not in errors and "end" not in errors:
            errors.update(validate_window(start, end))
        return errors

    def query(
        self, latitude: float | None, longitude: float | None, insee_code: str | None = None
    ) -> SearchQuery:
        return SearchQuery(
            insee_code=insee_code,
            start_text=self.start.data or None,
            end_text=self.end.data or None,
            latitude=latitude,
            longitude=longitude,
            radius_km=self.radius_km.data or DEFAULT_RADIUS_KM,
            seats=self.seats.data or 1,
            services=self.services.data or (),
            kind=self.kind.data or None,
            space_kind=self.space_kind.data or None,
            max_price=self.max_price.data,
            instant=(self.instant.data or "") in YES,
            sort=self.sort.data or "distance",
            first_day=self.term_days[0] if self.term_days else None,
            last_day=self.term_days[1] if self.term_days else None,
        )


def parse_search_args(args: MultiDict) -> SearchQuery:
    """The query string as a SearchQuery; raises Invalid (422) naming the bad parameters."""
    form = SearchForm(args)
    form.validate()
    errors = form.errors_by_name()
    if errors:
        raise Invalid(fields=errors)
    lat, lon, insee = form.lat.data, form.lon.data, None
    if form.near.data and lat is None:
        place = place_or_invalid(form.near.data)
        lat, lon, insee = place.latitude, place.longitude, place.insee
    return form.query(lat, lon, insee)
