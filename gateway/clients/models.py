"""The table of machine clients (OAuth 2 client credentials)."""

from __future__ import annotations

import uuid

from sqlalchemy import CheckConstraint, String, Uuid, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from gateway.database import Base
from kernel.db.session import TimestampMixin, new_id


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
