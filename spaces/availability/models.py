"""Opening windows and closures of spaces and units (busy blocks come with calendar imports)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from spaces.db import TimestampMixin, UTCDateTime
from spaces.extensions import db

_ONE_OWNER = "(space_id IS NULL) <> (unit_id IS NULL)"


class OpeningWindow(db.Model):
    """A weekly window in the space's local time: weekday 0 (Monday) to 6, minutes of the day."""

    __tablename__ = "opening_windows"
    __table_args__ = (
        sa.CheckConstraint(_ONE_OWNER, name="one_owner"),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint(
            "start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
            name="minutes_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(nullable=False)
    start_minute: Mapped[int] = mapped_column(nullable=False)
    end_minute: Mapped[int] = mapped_column(nullable=False)


class Closure(TimestampMixin, db.Model):
    """A dated closure [start, end) of a space or of one unit, stored in UTC."""

    __tablename__ = "closures"
    __table_args__ = (
        sa.CheckConstraint(_ONE_OWNER, name="one_owner"),
        sa.CheckConstraint("start_at < end_at", name="start_before_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    space_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
