"""Account and API token models."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime
from spaces.extensions import db


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    locale: Mapped[str | None] = mapped_column(sa.String(8))
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Changing it logs out every session and invalidates reset links (see services).
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Optional, set and removed by the person: the commune (INSEE code) they live in, counted
    # only in aggregate by the territory observatory.
    home_commune: Mapped[str | None] = mapped_column(sa.String(5), index=True)

    # Loaded when first read (role checks, menus), not with every user: a booking loads its
    # booker and the host's managers, and reads no one's memberships.
    memberships = relationship("Membership", back_populates="user", cascade="all, delete-orphan")
    tokens = relationship("ApiToken", back_populates="user", cascade="all, delete-orphan")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.suspended_at is None and self.deleted_at is None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class ApiToken(TimestampMixin, db.Model):
    """A bearer token; only its SHA-256 is stored (checked on every API request)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(sa.String(120), default="", server_default="")
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user = relationship("User", back_populates="tokens", lazy="joined")  # read with the token
