"""The state of signing in: refresh tokens (the sessions) and failed logins (the lockout)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from gateway.database import Base
from kernel.db.session import new_id, utcnow


class RefreshToken(Base):
    """One refresh token (only its SHA-256 is stored). Tokens that replace one another
    form a family: a login starts one, each refresh adds the next token and marks
    the one used. Presenting a used token again revokes the whole family."""

    __tablename__ = "refresh_token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoke_reason: Mapped[str | None] = mapped_column(String(32))


class LoginFailure(Base):
    """A failed login, by keyed hash of the normalized username (whether or not such a
    user exists), for the lockout rule. Rows older than the window are deleted."""

    __tablename__ = "login_failure"
    __table_args__ = (Index(None, "username_key", "occurred_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=False), primary_key=True)
    username_key: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    client_ip: Mapped[str | None] = mapped_column(String(64))


class AuthThrottle(Base):
    """Sign-in attempts from one client address in one fixed window (login, token and refresh
    together), counted by one upsert so concurrent attempts and replicas count exactly.
    A successful attempt gives its count back; rows of past windows are deleted."""

    __tablename__ = "auth_throttle"

    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), primary_key=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer)
