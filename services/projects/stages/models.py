"""Tables: the stage plan and history of each project, the read models fed by
relocation's and funding's events (for stage gates and escalation), escalation
rules and their firings, and the runs of scheduled jobs."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.columns import money_column
from kernel.db.session import TimestampMixin, new_id
from services.projects.database import Base


class StagePlan(Base):
    """Planned and actual dates of one stage of one project."""

    __tablename__ = "stage_plan"

    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)


class StageTransition(Base):
    """One move of a project from a stage to another, with the gate as it stood."""

    __tablename__ = "stage_transition"
    __table_args__ = (Index("ix_stage_transition_project_at", "project_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    from_stage: Mapped[str] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # advance | return
    on: Mapped[dt.date] = mapped_column(Date)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(String(80))
    actor_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)


# --- read models of other services' events (contracts.relocation, contracts.funding) ---------------------


class SigningRef(Base):
    """One signing reported by relocation (``relocation.agreement.signed``), for weekly figures."""

    __tablename__ = "signing_ref"
    __table_args__ = (Index("ix_signing_ref_project_week", "project_id", "week_start"),
                      Index("ix_signing_ref_region_week", "region_code", "week_start",
                            postgresql_ops={"region_code": "varchar_pattern_ops"}))

    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(String(12))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    week_start: Mapped[dt.date] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(default=False)


class ProgressRef(Base):
    """Relocation's running totals for a project (``relocation.progress.changed``)."""

    __tablename__ = "progress_ref"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    households_total: Mapped[int]
    surveyed: Mapped[int]
    signed: Mapped[int]
    vacated: Mapped[int]
    demolished: Mapped[int]
    closed_otherwise: Mapped[int]
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int]


class SchemeRef(Base):
    """The project's compensation scheme as relocation last described it (``relocation.scheme.changed``)."""

    __tablename__ = "scheme_ref"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    scheme_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scheme_version: Mapped[int]
    budget: Mapped[Decimal] = mapped_column(money_column())
    comment_opened_on: Mapped[dt.date | None] = mapped_column(Date)
    comment_closes_on: Mapped[dt.date | None] = mapped_column(Date)
    stability_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    stability_risk_level: Mapped[str | None] = mapped_column(String(16))


class DedicatedAccountRef(Base):
    """Funding's balance of the project's dedicated compensation account."""

    __tablename__ = "dedicated_account_ref"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    balance: Mapped[Decimal] = mapped_column(money_column())
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int]


# --- escalation ----------------------------------------------------------------------------------


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


class JobRun(Base):
    """The last run of each scheduled job (one row per job)."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    runs: Mapped[int] = mapped_column(default=0)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    last_error: Mapped[str | None] = mapped_column(Text)
