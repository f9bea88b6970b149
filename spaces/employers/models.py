"""Sponsorship settings of an employer organisation, and the record of statements e-mailed."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime, utcnow
from spaces.extensions import db


class Sponsorship(db.Model):
    """One employer's rules for paying its staff's bookings; None in a limit means no limit.

    The row is also the lock the budget check takes (``budget.check``): two sponsored bookings
    of one employer are decided one after the other."""

    __tablename__ = "sponsorships"
    __table_args__ = (
        sa.CheckConstraint(
            "monthly_budget_per_member IS NULL OR monthly_budget_per_member >= 0",
            name="member_budget_not_negative",
        ),
        sa.CheckConstraint(
            "monthly_budget_total IS NULL OR monthly_budget_total >= 0",
            name="total_budget_not_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), unique=True, nullable=False
    )
    monthly_budget_per_member: Mapped[int | None] = mapped_column()
    monthly_budget_total: Mapped[int | None] = mapped_column()
    # JSON lists (space kinds, INSEE codes), or NULL for "any".
    allowed_kinds_json: Mapped[str | None] = mapped_column("allowed_kinds", sa.Text)
    allowed_communes_json: Mapped[str | None] = mapped_column("allowed_communes", sa.Text)
    currency: Mapped[str] = mapped_column(sa.String(3), default="EUR", server_default="EUR")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )

    organisation = relationship("Organisation")

    @property
    def allowed_kinds(self) -> list[str] | None:
        return None if self.allowed_kinds_json is None else json.loads(self.allowed_kinds_json)

    @allowed_kinds.setter
    def allowed_kinds(self, value: list[str] | None) -> None:
        self.allowed_kinds_json = None if value is None else json.dumps(sorted(set(value)))

    @property
    def allowed_communes(self) -> list[str] | None:
        if self.allowed_communes_json is None:
            return None
        return json.loads(self.allowed_communes_json)

    @allowed_communes.setter
    def allowed_communes(self, value: list[str] | None) -> None:
        self.allowed_communes_json = None if value is None else json.dumps(sorted(set(value)))


class StatementMailing(TimestampMixin, db.Model):
    """A month's statement e-mailed for one organisation: inserted before sending, so the
    unique (organisation, month) makes the monthly mail exactly-once across workers."""

    __tablename__ = "statement_mailings"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "month", name="uq_statement_mailings_org_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
    )
    month: Mapped[str] = mapped_column(sa.String(7), nullable=False)  # "YYYY-MM"
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recipients: Mapped[int] = mapped_column(default=0, server_default="0", nullable=False)
