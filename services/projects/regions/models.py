"""Tables: administrative regions (行政区划), in the ``projects`` schema."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin
from services.projects.database import Base


class Region(TimestampMixin, Base):
    """An administrative division (行政区划), identified by its 12-digit code."""

    __tablename__ = "region"
    __table_args__ = (
        CheckConstraint(r"code ~ '^[0-9]{12}$'", name="code_format"),
        Index("ix_region_code_pattern", "code", postgresql_ops={"code": "varchar_pattern_ops"}),
    )

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(16))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
