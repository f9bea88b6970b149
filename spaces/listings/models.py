"""Space (a place), Unit (what is booked inside it) and Photo models."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship, validates

from spaces.db import TimestampMixin, UTCDateTime, enum_check, utcnow
from spaces.extensions import db
from spaces.listings.vocabulary import BOOKING_MODES, SPACE_KINDS, SPACE_STATUSES, UNIT_KINDS


def name_key_of(name: str | None) -> str:
    """The key spaces are sorted by name with: the name in lower case (Python's rules)."""
    return (name or "").lower()


def _name_key_default(context) -> str:
    return name_key_of(context.get_current_parameters().get("name"))


# Compared by code point: "C" on PostgreSQL (whatever the database's collation), binary (the
# default) on SQLite.
NAME_KEY_TYPE = sa.Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")


class Space(TimestampMixin, db.Model):
    __tablename__ = "spaces"
    __table_args__ = (
        enum_check("kind", tuple(SPACE_KINDS), "kind"),
        enum_check("status", SPACE_STATUSES, "status"),
        sa.CheckConstraint(
            "capacity_cap_percent BETWEEN 1 AND 100", name="capacity_cap_percent_range"
        ),
        sa.CheckConstraint("latitude BETWEEN -90 AND 90", name="latitude_range"),
        sa.CheckConstraint("longitude BETWEEN -180 AND 180", name="longitude_range"),
        sa.Index("ix_spaces_status_latitude_longitude", "status", "latitude", "longitude"),
        sa.Index("ix_spaces_status_name_key", "status", "name_key", "id"),
        # A spreadsheet's reference names one place per organisation (re-uploads update it).
        sa.UniqueConstraint("organisation_id", "import_reference"),
        sa.CheckConstraint("surface_m2 IS NULL OR surface_m2 > 0", name="surface_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    # What spaces are sorted by: ``name_key_of(name)``, compared by code point (collation "C" on
    # PostgreSQL, SQLite's binary order), so that the database sorts as Python does. Kept by
    # ``_keep_name_key`` (the ORM) and ``_name_key_default`` (a Core insert without it).
    name_key: Mapped[str] = mapped_column(NAME_KEY_TYPE, default=_name_key_default, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    postal_code: Mapped[str] = mapped_column(sa.String(10), default="", server_default="")
    commune: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    insee_code: Mapped[str | None] = mapped_column(sa.String(5), index=True)
    departement: Mapped[str | None] = mapped_column(sa.String(3))
    latitude: Mapped[float] = mapped_column(sa.Float, nullable=False)
    longitude: Mapped[float] = mapped_column(sa.Float, nullable=False)
    timezone: Mapped[str] = mapped_column(sa.String(64), nullable=False)
    accessibility: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    house_rules: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(10), default="draft", server_default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    available_from: Mapped[date | None] = mapped_column(sa.Date)
    available_until: Mapped[date | None] = mapped_column(sa.Date)
    capacity_cap_percent: Mapped[int] = mapped_column(default=100, server_default="100")
    closed_on_public_holidays: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )
    # The reference a spreadsheet import gave this place (``spaces.imports``); None otherwise.
    import_reference: Mapped[str | None] = mapped_column(sa.String(60))
    surface_m2: Mapped[int | None]

    organisation = relationship("Organisation", lazy="joined")
    service_rows = relationship(
        "SpaceService", cascade="all, delete-orphan", lazy="selectin", order_by="SpaceService.code"
    )
    units = relationship(
        "Unit",
        back_populates="space",
        cascade="all, delete-orphan",
        order_by="Unit.position, Unit.id",
    )
    photos = relationship(
        "Photo",
        back_populates="space",
        cascade="all, delete-orphan",
        order_by="Photo.position, Photo.id",
    )

    @validates("name")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = name_key_of(value)
        return value

    @property
    def services(self) -> list[str]:
        return [row.code for row in self.service_rows]

    @services.setter
    def services(self, codes) -> None:
        wanted = list(dict.fromkeys(codes))
        self.service_rows = [SpaceService(code=code) for code in wanted]

    def __repr__(self) -> str:
        return f"<Space {self.id} {self.name}>"


class SpaceService(db.Model):
    __tablename__ = "space_services"

    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True, index=True)


def rate_card(unit) -> dict[str, int | None]:
    """A unit's rates by name (a ``Unit`` or anything with its ``price_*`` attributes)."""
    return {
        "hour": unit.price_hour,
        "half_day": unit.price_half_day,
        "day": unit.price_day,
        "month": unit.price_month,
    }


def seats_at_once(kind: str, capacity: int, cap_percent: int) -> int:
    """Seats bookable at once: a desk pool's capacity under the space's cap; 1 for the rest
    (booked whole)."""
    return capacity * cap_percent // 100 if kind == "desk_pool" else 1


class Unit(TimestampMixin, db.Model):
    __tablename__ = "units"
    __table_args__ = (
        enum_check("kind", tuple(UNIT_KINDS), "kind"),
        enum_check("booking_mode", tuple(BOOKING_MODES), "booking_mode"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint(
            "(price_hour IS NULL OR price_hour >= 0) AND (price_half_day IS NULL OR price_half_day >= 0)"
            " AND (price_day IS NULL OR price_day >= 0) AND (price_month IS NULL OR price_month >= 0)",
            name="prices_not_negative",
        ),
        sa.CheckConstraint(
            "min_term_days >= 1 AND max_term_days >= min_term_days AND max_term_days <= 1461",
            name="term_days_range",
        ),
        sa.CheckConstraint(
            "request_expiry_hours BETWEEN 1 AND 2160", name="request_expiry_hours_range"
        ),
        # Parts only (few units): a search's thousands of ids probe a small index.
        sa.Index(
            "ix_units_part_of",
            "part_of",
            postgresql_where=sa.text("part_of IS NOT NULL"),
            sqlite_where=sa.text("part_of IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    capacity: Mapped[int] = mapped_column(nullable=False)
    price_hour: Mapped[int | None]
    price_half_day: Mapped[int | None]
    price_day: Mapped[int | None]
    price_month: Mapped[int | None]
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    booking_mode: Mapped[str] = mapped_column(
        sa.String(10), default="instant", server_default="instant"
    )
    min_minutes: Mapped[int | None]
    max_minutes: Mapped[int | None]
    notice_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    cancel_until_minutes: Mapped[int] = mapped_column(default=0, server_default="0")
    # Term bookings (whole local days, offered with a month price) and how long a request holds.
    min_term_days: Mapped[int] = mapped_column(default=1, server_default="1")
    max_term_days: Mapped[int] = mapped_column(default=1461, server_default="1461")
    request_expiry_hours: Mapped[int] = mapped_column(default=48, server_default="48")
    # False: the unit follows its space's opening hours; True: its own (an empty set = closed).
    own_hours: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    # Bumped by every committed change to this unit's availability (events, ETags).
    availability_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # A part of another unit of the same space (an office in a building booked whole): they
    # never both hold the same instant (``availability.loading``). One level: a part has no parts.
    part_of: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    # Whether other units are parts of this one, when the query read it (the unit lock does):
    # None otherwise.
    has_parts: Mapped[bool | None] = query_expression()

    space = relationship("Space", back_populates="units")
    parent = relationship("Unit", remote_side=[id], back_populates="parts")
    parts = relationship("Unit", back_populates="parent", order_by="(Unit.position, Unit.id)")

    @property
    def prices(self) -> dict[str, int | None]:
        return rate_card(self)

    @property
    def is_pool(self) -> bool:
        return self.kind == "desk_pool"

    @property
    def effective_capacity(self) -> int:
        """Seats bookable at once: the space's cap applies to desk pools only."""
        return seats_at_once(self.kind, self.capacity, self.space.capacity_cap_percent)

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"


class Photo(TimestampMixin, db.Model):
    __tablename__ = "photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int] = mapped_column(
        sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True, nullable=False
    )
    position: Mapped[int] = mapped_column(default=0, server_default="0")
    key: Mapped[str] = mapped_column(sa.String(200), nullable=False, unique=True)
    width: Mapped[int] = mapped_column(nullable=False)
    height: Mapped[int] = mapped_column(nullable=False)
    alt: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    space = relationship("Space", back_populates="photos")
