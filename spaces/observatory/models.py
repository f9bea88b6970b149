"""A municipality's territory (its communes) and the anonymous search log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from spaces.db import UTCDateTime, utcnow
from spaces.extensions import db


class TerritoryCommune(db.Model):
    """One commune (INSEE code) of an organisation's territory."""

    __tablename__ = "territory_communes"

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    insee_code: Mapped[str] = mapped_column(sa.String(5), primary_key=True)


class SearchLog(db.Model):
    """One search, anonymous by construction: when, where, how wide, dated or not, how many
    results. Nothing about the person (no user, IP, session or query text) — by design."""

    __tablename__ = "search_logs"
    __table_args__ = (
        sa.Index("ix_search_logs_insee_code_searched_at", "insee_code", "searched_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    searched_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, index=True, nullable=False
    )
    insee_code: Mapped[str | None] = mapped_column(sa.String(5))
    radius_km: Mapped[float | None] = mapped_column(sa.Float)
    dated: Mapped[bool] = mapped_column(default=False, nullable=False)
    results: Mapped[int] = mapped_column(default=0, nullable=False)
