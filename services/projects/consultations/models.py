"""Tables: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households, votes, results.

Every row carries ``project_id`` (row-level security follows the project). A household's current
ballot is one row of ``ballot`` (primary key: consultation and household, and a foreign key to the
eligible household, so a ballot for a household not on the list cannot exist); every cast or change
is appended to ``ballot_log``. Shares (thresholds) are exact fractions: numerator and
denominator. The results are computed live while a consultation is open and frozen into ``result``
when it closes. Vocabularies and rules live in ``domain/tally.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id, utcnow
from services.projects.database import Base

__all__ = ["Ballot", "BallotLog", "Base", "Consultation", "ConsultationOption", "EligibleHousehold"]


class Consultation(TimestampMixin, Base):
    __tablename__ = "consultation"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_known"),
        CheckConstraint("kind IN ('willingness', 'renovation_menu', 'representative_review', 'satisfaction')",
                        name="kind_known"),
        CheckConstraint("threshold_base IN ('eligible', 'votes_cast')", name="base_known"),
        CheckConstraint("closes_at > opens_at", name="period_order"),
        CheckConstraint("support_num > 0 AND support_den > 0 AND support_num <= support_den", name="support_share"),
        CheckConstraint("(participation_num IS NULL AND participation_den IS NULL) OR (participation_num > 0 "
                        "AND participation_den > 0 AND participation_num <= participation_den)",
                        name="participation_share"),
        CheckConstraint("status <> 'closed' OR result IS NOT NULL", name="closed_with_result"),
        Index("ix_consultation_project_id_created_at", "project_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    support_num: Mapped[int] = mapped_column(Integer)
    support_den: Mapped[int] = mapped_column(Integer)
    threshold_base: Mapped[str] = mapped_column(String(16))
    participation_num: Mapped[int | None] = mapped_column(Integer)
    participation_den: Mapped[int | None] = mapped_column(Integer)
    opened_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class ConsultationOption(Base):
    __tablename__ = "consultation_option"
    __table_args__ = (
        UniqueConstraint("consultation_id", "position"),
        UniqueConstraint("consultation_id", "label"),
        CheckConstraint("score IS NULL OR score BETWEEN 0 AND 100", name="score_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    consultation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consultation.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(100))
    supportive: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[int | None] = mapped_column(Integer)


class EligibleHousehold(Base):
    """A household entitled to answer one consultation. ``source`` says where the list came from:
    ``imported`` (a list the staff uploaded) or ``relocation`` (relocation's household register,
    once that service publishes it)."""

    __tablename__ = "eligible_household"
    __table_args__ = (
        CheckConstraint("source IN ('imported', 'relocation')", name="source_known"),
        CheckConstraint(r"region_code IS NULL OR region_code ~ '^[0-9]{12}$'", name="region_code_format"),
        Index("ix_eligible_household_listing", "consultation_id", "address", "household_id"),
    )

    consultation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("consultation.id"),
                                                       primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    head_name: Mapped[str] = mapped_column(String(50))
    address: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(String(12))
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class BallotColumns:
    choices: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid))
    channel: Mapped[str] = mapped_column(String(16))
    paper_form_no: Mapped[str | None] = mapped_column(String(40))
    cast_by: Mapped[str] = mapped_column(String(200))
    cast_by_name: Mapped[str] = mapped_column(String(200))
    cast_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Ballot(BallotColumns, Base):
    """A household's current vote: one per household and consultation."""

    __tablename__ = "ballot"
    __table_args__ = (
        ForeignKeyConstraint(["consultation_id", "household_id"],
                             ["eligible_household.consultation_id", "eligible_household.household_id"]),
        CheckConstraint("channel IN ('app', 'field', 'paper')", name="channel_known"),
        CheckConstraint("channel <> 'paper' OR paper_form_no IS NOT NULL", name="paper_with_form"),
    )

    consultation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class BallotLog(BallotColumns, Base):
    """Every cast and change of a ballot, in order (append-only)."""

    __tablename__ = "ballot_log"
    __table_args__ = (
        ForeignKeyConstraint(["consultation_id", "household_id"],
                             ["eligible_household.consultation_id", "eligible_household.household_id"]),
        Index("ix_ballot_log_household", "consultation_id", "household_id", "cast_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    consultation_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    ballot_version: Mapped[int] = mapped_column(Integer)
