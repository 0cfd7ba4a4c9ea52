"""Tables of the projects service, all in the ``projects`` schema."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.columns import area_column, money_column
from kernel.db.session import TimestampMixin, new_id
from services.projects.database import Base


class Project(TimestampMixin, Base):
    __tablename__ = "project"
    __table_args__ = (
        Index("ix_project_region_code_pattern", "region_code",
              postgresql_ops={"region_code": "varchar_pattern_ops"}),
        CheckConstraint("target_households IS NULL OR target_households >= 0", name="target_households"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32), index=True)
    land_path: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    zone: Mapped[str | None] = mapped_column(String(100))
    target_households: Mapped[int | None]
    target_floor_area: Mapped[Decimal | None] = mapped_column(area_column())
    target_land_mu: Mapped[Decimal | None] = mapped_column(area_column())
    target_investment: Mapped[Decimal | None] = mapped_column(money_column())
    stage: Mapped[str] = mapped_column(String(32), index=True)
    legal_basis: Mapped[str | None] = mapped_column(String(32))  # Decree 590 art. 8 ground
    # GeoJSON Polygon/MultiPolygon in WGS 84; SQL NULL (not JSON null) when there is none.
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSONB(none_as_null=True))
    # Units of the command structure (models_command.CommandUnit); the task force is set by its use case.
    lead_unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("command_unit.id", use_alter=True))
    implementing_company_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("command_unit.id", use_alter=True))
    task_force_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("command_unit.id", use_alter=True))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)
