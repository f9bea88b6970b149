"""Booking and Series models."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime, enum_check, utcnow
from spaces.extensions import db

STATUSES = ("requested", "confirmed", "declined", "cancelled", "expired")
KINDS = ("slot", "term")


class Series(TimestampMixin, db.Model):
    """A recurring booking: the same local times on some weekdays until a date."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True, nullable=False
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True, nullable=False)
    weekdays: Mapped[str] = mapped_column(sa.String(20), nullable=False)  # "1,3" = Tue, Thu
    first_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    until: Mapped[date] = mapped_column(sa.Date, nullable=False)

    bookings = relationship("Booking", back_populates="series", order_by="Booking.start_at")

    @property
    def weekday_list(self) -> list[int]:
        return [int(d) for d in self.weekdays.split(",") if d]


class Booking(TimestampMixin, db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        enum_check("status", STATUSES, "status"),
        enum_check("kind", KINDS, "kind"),
        sa.CheckConstraint("start_at < end_at", name="start_before_end"),
        sa.CheckConstraint("seats >= 1", name="seats_positive"),
        sa.CheckConstraint("price_amount >= 0", name="price_not_negative"),
        # Everything the availability loader reads of a unit's bookings in a window: it never
        # reads the table itself (SQLite: a covering index; PostgreSQL: index-only scans). On
        # PostgreSQL a GiST index of tstzrange(start_at, end_at) serves windows over many units
        # (migration 0012; an expression index, left out of the models).
        sa.Index(
            "ix_bookings_unit_window",
            "unit_id",
            "start_at",
            "end_at",
            "status",
            "expires_at",
            "seats",
            "id",
        ),
        # Terms by end: the loader reads the terms that started more than MAX_SLOT_DAYS before a
        # window (every other booking it finds by start, bounded on both sides).
        sa.Index(
            "ix_bookings_terms_by_end",
            "unit_id",
            "end_at",
            sqlite_where=sa.text("kind = 'term'"),
            postgresql_where=sa.text("kind = 'term'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(12), unique=True, nullable=False)
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True, nullable=False)
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("series.id", ondelete="SET NULL"), index=True
    )
    # Indexed by employers.models' two indexes that start with it (a single-column index
    # misled PostgreSQL's planner into filtering a whole employer's bookings).
    sponsor_organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL")
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    seats: Mapped[int] = mapped_column(default=1, nullable=False)
    # "slot": any interval within the opening hours; "term": whole local days (start_at and
    # end_at are local midnights), whatever the opening hours.
    kind: Mapped[str] = mapped_column(
        sa.String(5), default="slot", server_default="slot", nullable=False
    )
    status: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    price_amount: Mapped[int] = mapped_column(nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    price_breakdown: Mapped[str] = mapped_column(sa.Text, default="[]", server_default="[]")
    note: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    # iCalendar SEQUENCE: goes up whenever the booking changes in a way a calendar shows.
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    unit = relationship("Unit", lazy="joined")
    user = relationship("User", foreign_keys=[user_id], lazy="joined")
    series = relationship("Series", back_populates="bookings")
    sponsor = relationship("Organisation")

    @property
    def is_term(self) -> bool:
        return self.kind == "term"

    def term_dates(self, tz) -> tuple[date, date]:
        """A term's first and last local days (inclusive), in the space's zone ``tz``."""
        return (
            self.start_at.astimezone(tz).date(),
            self.end_at.astimezone(tz).date() - timedelta(days=1),
        )

    @property
    def local_days(self) -> tuple[date, date]:
        """A term's first and last local days in its space's zone."""
        return self.term_dates(ZoneInfo(self.unit.space.timezone))

    @property
    def breakdown(self) -> list[dict]:
        return json.loads(self.price_breakdown or "[]")

    def is_live(self, now: datetime) -> bool:
        """Holds seats: confirmed, or requested and not yet expired."""
        if self.status == "confirmed":
            return True
        return self.status == "requested" and self.expires_at is not None and self.expires_at > now

    def effective_status(self, now: datetime) -> str:
        """The status as people should see it: a request past its expiry is expired."""
        if self.status == "requested" and self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return self.status
