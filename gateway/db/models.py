"""Tables of the gateway, all in the ``gateway`` schema: who may sign in (users,
machine clients), the state of their sessions (refresh tokens, failed logins)
and the keys tokens are signed with."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, ForeignKey, Identity, Index, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id, service_metadata, utcnow
from kernel.records import kernel_records

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


#: The audit trail and idempotency keys, in the gateway's schema.
RECORDS = kernel_records(Base.metadata)


class AppUser(TimestampMixin, Base):
    """A person who signs in with a password. ``username`` is stored lower-case, so
    its uniqueness is case-insensitive; the phone is encrypted (``phone_enc``) and
    found by its keyed hash (``phone_index``)."""

    __tablename__ = "app_user"
    __table_args__ = (
        CheckConstraint("username = lower(username)", name="username_lower"),
        CheckConstraint(r"region_code ~ '^[0-9]{12}$'", name="region_code_format"),
        Index("ix_app_user_region_code_pattern", "region_code",
              postgresql_ops={"region_code": "varchar_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    region_code: Mapped[str] = mapped_column(String(12))
    project_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), server_default=text("'{}'"), default=list)
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # a resident's own household
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class TaskForceMembership(Base):
    """A task-force membership as the projects service announces it
    (``projects.taskforce.member.changed``), by the member's account. A user's token
    carries the projects of their current memberships besides those set by an admin.
    Only a newer version of a membership replaces the one held."""

    __tablename__ = "taskforce_membership"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    current: Mapped[bool]
    version: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"),
                                                    default=utcnow, onupdate=utcnow)


class ApiClient(TimestampMixin, Base):
    """A machine client (OAuth 2 client credentials): a municipal system, a data exchange."""

    __tablename__ = "api_client"
    __table_args__ = (
        CheckConstraint(r"client_id ~ '^[a-z0-9][a-z0-9._-]{2,63}$'", name="client_id_format"),
        CheckConstraint(r"region_code IS NULL OR region_code ~ '^[0-9]{12}$'", name="region_code_format"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    secret_hash: Mapped[str] = mapped_column(String(255))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(40)))
    region_code: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


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
