"""The table of user accounts: who may sign in with a password."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import CheckConstraint, DateTime, Index, String, Text, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from gateway.database import Base
from kernel.db.session import TimestampMixin, new_id


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
