"""Calendar feed tokens, calendar imports and the busy blocks they produce."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime, enum_check
from spaces.extensions import db

TOKEN_SCOPES = ("me", "unit", "space")
IMPORT_SOURCES = ("url", "file")


class CalendarToken(TimestampMixin, db.Model):
    """A private feed address. The token is a capability shown again on the account page (like
    a calendar provider's secret address), so it is stored as is; revoking makes it 404 at once."""

    __tablename__ = "calendar_tokens"
    __table_args__ = (
        enum_check("scope", TOKEN_SCOPES, "scope"),
        sa.CheckConstraint(
            "(scope = 'me' AND unit_id IS NULL AND space_id IS NULL)"
            " OR (scope = 'unit' AND unit_id IS NOT NULL AND space_id IS NULL)"
            " OR (scope = 'space' AND space_id IS NOT NULL AND unit_id IS NULL)",
            name="scope_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    scope: Mapped[str] = mapped_column(sa.String(5), nullable=False)
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True
    )
    space_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("spaces.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User")
    unit = relationship("Unit")
    space = relationship("Space")


class CalendarImport(TimestampMixin, db.Model):
    """A host's calendar (an iCal URL or an uploaded file) whose events make a unit busy."""

    __tablename__ = "calendar_imports"
    __table_args__ = (enum_check("source", IMPORT_SOURCES, "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    source: Mapped[str] = mapped_column(sa.String(4), default="url", server_default="url")
    url: Mapped[str | None] = mapped_column(sa.String(2000))
    content: Mapped[str | None] = mapped_column(sa.Text)  # an uploaded file's text
    name: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    etag: Mapped[str | None] = mapped_column(sa.String(300))
    last_modified: Mapped[str | None] = mapped_column(sa.String(100))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    blocks_count: Mapped[int] = mapped_column(default=0, server_default="0")

    unit = relationship("Unit")
    blocks = relationship(
        "BusyBlock",
        back_populates="calendar_import",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class BusyBlock(db.Model):
    """One imported event: the whole unit is unavailable over [start_at, end_at)."""

    __tablename__ = "busy_blocks"
    __table_args__ = (
        sa.CheckConstraint("start_at < end_at", name="start_before_end"),
        sa.Index("ix_busy_blocks_unit_id_start_at_end_at", "unit_id", "start_at", "end_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        sa.ForeignKey("calendar_imports.id", ondelete="CASCADE"), index=True, nullable=False
    )
    unit_id: Mapped[int] = mapped_column(
        sa.ForeignKey("units.id", ondelete="CASCADE"), nullable=False
    )
    start_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    uid: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    summary: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    calendar_import = relationship("CalendarImport", back_populates="blocks")
