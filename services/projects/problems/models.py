"""Tables: the problem ledger (问题清单): problems registered (挂号) and closed (销号), their history, and
the evidence of each closure (销号佐证).

Every row carries ``project_id`` (row-level security follows the project). Owners are plain fields
(``tasks.models.OwnerColumns``). Vocabularies are strings here; their values and Chinese labels live
in ``problems/vocabulary.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id, utcnow
from services.projects.database import Base
from services.projects.tasks.models import OwnerColumns

__all__ = ["Base", "ProblemEvent", "ProblemEvidence", "ProblemRecord"]


class ProblemRecord(OwnerColumns, TimestampMixin, Base):
    """A problem in the ledger (问题清单): registered (挂号), worked on, closed (销号) with evidence, and
    possibly reopened. ``episode`` counts overdue episodes: it moves on when the problem is reopened or
    its deadline is moved, so an overdue problem escalates to one supervision item per episode."""

    __tablename__ = "problem"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("status <> 'closed' OR closing_note IS NOT NULL", name="closed_with_note"),
        Index("ix_problem_open_by_deadline", "project_id", "deadline", "id",
              postgresql_where=text("status = 'open'")),
        Index("ix_problem_project_id_registered_at", "project_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    category: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    measure: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date] = mapped_column(Date)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closing_note: Mapped[str | None] = mapped_column(Text)
    episode: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class ProblemEvent(Base):
    """The problem's history: registration, progress notes, changes, closure, reopening, escalation."""

    __tablename__ = "problem_event"
    __table_args__ = (Index("ix_problem_event_problem_id_at", "problem_id", "at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    problem_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("problem.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    changes: Mapped[dict[str, object] | None] = mapped_column(JSONB)
    by: Mapped[str] = mapped_column(String(200))
    by_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ProblemEvidence(Base):
    """One evidence item of a closure (销号佐证): an uploaded document of the problem, or a reference
    (a meeting minute's number, an archive location)."""

    __tablename__ = "problem_evidence"
    __table_args__ = (
        CheckConstraint("(document_id IS NOT NULL) OR (reference IS NOT NULL)", name="document_or_reference"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    problem_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("problem.id"), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    closure_event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("problem_event.id"), index=True)
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("work_document.id"))
    reference: Mapped[str | None] = mapped_column(String(500))
