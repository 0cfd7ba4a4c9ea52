"""The table of token-signing keys."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from gateway.database import Base
from kernel.db.session import utcnow


class SigningKeyRecord(Base):
    """An Ed25519 token-signing key: at most one ``current`` (signs) and one ``next``
    (published, signs after the next rotation). A retired key stays published in
    the JWKS while tokens it signed may still be valid, and its private half is
    erased at retirement (it never signs again)."""

    __tablename__ = "signing_key"
    __table_args__ = (
        CheckConstraint("state IN ('current', 'next', 'retired')", name="state"),
        CheckConstraint("(state = 'retired') = (retired_at IS NOT NULL)", name="retired_at"),
        Index("uq_signing_key_one_current", "state", unique=True, postgresql_where=text("state = 'current'")),
        Index("uq_signing_key_one_next", "state", unique=True, postgresql_where=text("state = 'next'")),
    )

    kid: Mapped[str] = mapped_column(String(32), primary_key=True)
    private_key_enc: Mapped[str | None] = mapped_column(Text)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
