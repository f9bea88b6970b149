"""A spreadsheet import checked and ready to run, and what became of it."""

from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime, enum_check
from spaces.extensions import db

IMPORT_STATUSES = ("ready", "queued", "running", "done", "failed")


class ListingImport(TimestampMixin, db.Model):
    """The checked rows of one upload (only a file without errors is kept), run once."""

    __tablename__ = "listing_imports"
    __table_args__ = (enum_check("status", IMPORT_STATUSES, "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    status: Mapped[str] = mapped_column(sa.String(10), default="ready", server_default="ready")
    rows_json: Mapped[str] = mapped_column(sa.Text, nullable=False)
    total: Mapped[int] = mapped_column(default=0, server_default="0")
    created_count: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_count: Mapped[int] = mapped_column(default=0, server_default="0")
    message: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation = relationship("Organisation")
    created_by = relationship("User")

    @property
    def rows(self) -> list[dict]:
        return json.loads(self.rows_json)
