"""Calls for temporary occupation (appels à manifestation d'intérêt) and the applications to them."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime, enum_check, utcnow
from spaces.extensions import db

CALL_STATUSES = ("draft", "open", "closed")
APPLICATION_STATUSES = ("submitted", "shortlisted", "accepted", "declined", "withdrawn")
# An application that still counts: a person has at most one of these per call.
LIVE_APPLICATION_STATUSES = ("submitted", "shortlisted", "accepted")
# An application the organisation can still decide on.
PENDING_APPLICATION_STATUSES = ("submitted", "shortlisted")


class Call(TimestampMixin, db.Model):
    """One call per vacant unit: a period of occupation offered, applications until a deadline."""

    __tablename__ = "calls"
    __table_args__ = (
        enum_check("status", CALL_STATUSES, "status"),
        sa.CheckConstraint("occupation_from <= occupation_until", name="period_ordered"),
        sa.Index("ix_calls_status_apply_until", "status", "apply_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True, nullable=False
    )
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    description: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    criteria: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    visit_info: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    occupation_from: Mapped[date] = mapped_column(sa.Date, nullable=False)
    occupation_until: Mapped[date] = mapped_column(sa.Date, nullable=False)
    apply_until: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(sa.String(10), default="draft", server_default="draft")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    unit = relationship("Unit", lazy="joined")
    applications = relationship(
        "Application",
        back_populates="call",
        cascade="all, delete-orphan",
        order_by="Application.created_at, Application.id",
    )

    @property
    def space(self):
        return self.unit.space

    def effective_status(self, now: datetime) -> str:
        """The status as people see it: an open call whose deadline has passed is closed."""
        if self.status == "open" and self.apply_until <= now:
            return "closed"
        return self.status

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.title}>"


class Application(TimestampMixin, db.Model):
    """A person's (or an association's) answer to a call: a project, dates, seats."""

    __tablename__ = "applications"
    __table_args__ = (
        enum_check("status", APPLICATION_STATUSES, "status"),
        sa.CheckConstraint("start_date <= end_date", name="dates_ordered"),
        sa.CheckConstraint("seats >= 1", name="seats_positive"),
        sa.Index("ix_applications_call_id_applicant_id", "call_id", "applicant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        sa.ForeignKey("calls.id", ondelete="CASCADE"), nullable=False
    )
    applicant_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    project: Mapped[str] = mapped_column(sa.Text, nullable=False)
    planned_use: Mapped[str] = mapped_column(sa.Text, nullable=False)
    start_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    end_date: Mapped[date] = mapped_column(sa.Date, nullable=False)
    seats: Mapped[int] = mapped_column(default=1, nullable=False)
    organisation_name: Mapped[str] = mapped_column(sa.String(160), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="", server_default="")
    status: Mapped[str] = mapped_column(
        sa.String(12), default="submitted", server_default="submitted"
    )
    reason: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    booking_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("bookings.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    call = relationship("Call", back_populates="applications", lazy="joined")
    applicant = relationship("User", foreign_keys=[applicant_id], lazy="joined")
    booking = relationship("Booking")

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_APPLICATION_STATUSES

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_APPLICATION_STATUSES

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.status}>"
