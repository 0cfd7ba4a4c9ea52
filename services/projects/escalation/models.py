"""Tables: escalation rules (data) and their firings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import ARRAY, CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id
from services.projects.database import Base


class EscalationRule(TimestampMixin, Base):
    """A rule as data: when ``metric`` stays at or below ``threshold`` for ``window_weeks``
    consecutive complete weeks for a subject (project or sub-district), take ``action``."""

    __tablename__ = "escalation_rule"
    __table_args__ = (CheckConstraint("window_weeks BETWEEN 1 AND 52", name="window_weeks"),
                      CheckConstraint("threshold >= 0", name="threshold"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(16))
    window_weeks: Mapped[int]
    threshold: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    concerns: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    region_prefix: Mapped[str | None] = mapped_column(String(12))
    active: Mapped[bool] = mapped_column(default=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class EscalationFiring(TimestampMixin, Base):
    """A rule fired for a subject: once per rule, subject and run of weeks (episode)."""

    __tablename__ = "escalation_firing"
    __table_args__ = (
        UniqueConstraint("rule_id", "subject_key", "episode_start", name="uq_escalation_firing_once"),
        Index("ix_escalation_firing_region_code_pattern", "region_code",
              postgresql_ops={"region_code": "varchar_pattern_ops"}),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    rule_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("escalation_rule.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(40))
    project_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("project.id"), index=True)
    region_code: Mapped[str] = mapped_column(String(12))
    episode_start: Mapped[dt.date] = mapped_column(Date)
    week_ending: Mapped[dt.date] = mapped_column(Date)
    weeks: Mapped[int]
    people: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[str | None] = mapped_column(String(100))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
