"""Organisation, membership and invitation models."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from spaces.db import TimestampMixin, UTCDateTime, enum_check
from spaces.extensions import db

ORGANISATION_KINDS = ("municipality", "landlord", "coworking", "employer")
ROLES = ("owner", "manager", "member")


class Organisation(TimestampMixin, db.Model):
    __tablename__ = "organisations"
    __table_args__ = (enum_check("kind", ORGANISATION_KINDS, "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(20), nullable=False)
    email: Mapped[str | None] = mapped_column(sa.String(254))
    phone: Mapped[str | None] = mapped_column(sa.String(40))
    website: Mapped[str | None] = mapped_column(sa.String(300))

    memberships = relationship(
        "Membership", back_populates="organisation", cascade="all, delete-orphan"
    )
    invitations = relationship(
        "Invitation", back_populates="organisation", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class Membership(TimestampMixin, db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "user_id", name="uq_memberships_org_user"),
        enum_check("role", ROLES, "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), nullable=False
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False
    )
    role: Mapped[str] = mapped_column(sa.String(10), nullable=False)

    organisation = relationship("Organisation", back_populates="memberships", lazy="joined")
    user = relationship("User", back_populates="memberships")


class Invitation(TimestampMixin, db.Model):
    """An e-mailed invitation to join an organisation; only the token's SHA-256 is stored."""

    __tablename__ = "invitations"
    __table_args__ = (enum_check("role", ROLES, "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True, nullable=False
    )
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False)
    role: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, nullable=False)
    invited_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation = relationship("Organisation", back_populates="invitations")
    invited_by = relationship("User")
