"""Tables: supervision items (督办) assigned at meetings (日调度, 周通报, 旬协调) or opened for an overdue
problem, and their progress reports.

Every row carries ``project_id`` (row-level security follows the project). Owners are plain fields
(``tasks.models.OwnerColumns``). Vocabularies are strings here; their values and Chinese labels live
in ``supervision/vocabulary.py``.
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
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id, utcnow
from services.projects.database import Base
from services.projects.tasks.models import OwnerColumns

__all__ = ["Base", "SupervisionItem", "SupervisionReport"]


class SupervisionItem(OwnerColumns, TimestampMixin, Base):
    """A supervision item (督办事项) assigned at a meeting (日调度, 周通报, 旬协调) or opened when a problem
    is overdue; closed with a result, which the result list (督办结果通报) publishes."""

    __tablename__ = "supervision_item"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status_known"),
        CheckConstraint("status <> 'closed' OR (result IS NOT NULL AND closed_on IS NOT NULL)",
                        name="closed_with_result"),
        CheckConstraint("(source = 'overdue_problem') = (problem_id IS NOT NULL)", name="problem_source"),
        # One supervision item per problem and overdue episode.
        UniqueConstraint("problem_id", "problem_episode"),
        Index("ix_supervision_item_closed_on", "closed_on", "id", postgresql_where=text("status = 'closed'")),
        Index("ix_supervision_item_project_id_created_at", "project_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    source: Mapped[str] = mapped_column(String(32), index=True)
    meeting_date: Mapped[dt.date] = mapped_column(Date)
    meeting_title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    problem_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("problem.id"))
    problem_episode: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class SupervisionReport(Base):
    """A progress report on a supervision item (append-only)."""

    __tablename__ = "supervision_report"
    __table_args__ = (
        CheckConstraint("progress IS NULL OR progress BETWEEN 0 AND 100", name="progress_range"),
        Index("ix_supervision_report_item_id_reported_at", "item_id", "reported_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("supervision_item.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    progress: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_by_name: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
