"""Tables: tasks (任务清单, 倒排工期), approvals among them, and their progress reports; and the owner
columns a task, a problem and a supervision item share (``OwnerColumns``).

Every row carries ``project_id`` (row-level security follows the project). Owners are plain fields (a
person's and a unit's name, with optional ids of the command structure's records, without a foreign
key): a ledger keeps the name it was given even when the command structure changes later. Vocabularies
are strings here; their values and Chinese labels live in ``tasks/vocabulary.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    Boolean,
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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id, utcnow
from services.projects.database import Base

__all__ = ["Base", "OwnerColumns", "Task", "TaskProgress"]


#: Task statuses that still count towards overdue (kept in step with ``TaskStatus`` in the vocabulary).
OPEN_TASK_STATUSES = ("not_started", "in_progress")


class OwnerColumns:
    """Who answers for a record (a task, a problem, a supervision item): names as given, ids of the
    command structure when known."""

    owner_name: Mapped[str | None] = mapped_column(String(100))
    owner_unit_name: Mapped[str | None] = mapped_column(String(200))
    owner_person_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_unit_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Task(OwnerColumns, TimestampMixin, Base):
    """A task of a project's task list (任务清单); an approval (立项, 用地, 环评...) is a task of an
    approval kind with the approval's document number, authority and date."""

    __tablename__ = "task"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        CheckConstraint("planned_start IS NULL OR planned_end IS NULL OR planned_start <= planned_end",
                        name="planned_order"),
        CheckConstraint("actual_start IS NULL OR actual_end IS NULL OR actual_start <= actual_end",
                        name="actual_order"),
        CheckConstraint("duration_days IS NULL OR duration_days >= 1", name="duration_positive"),
        CheckConstraint("status IN ('not_started', 'in_progress', 'done', 'cancelled')", name="status_known"),
        # "A project's overdue tasks": open tasks by deadline, only the rows that can be overdue.
        Index("ix_task_open_by_deadline", "project_id", "planned_end", "id",
              postgresql_where=text("status IN ('not_started', 'in_progress') AND planned_end IS NOT NULL")),
        Index("ix_task_project_id_created_at", "project_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    # Backward scheduling (倒排工期): the step's duration and what it must wait for.
    duration_days: Mapped[int | None] = mapped_column(Integer)
    working_days: Mapped[bool] = mapped_column(Boolean, default=False)
    depends_on: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), default=list)
    plan_target: Mapped[dt.date | None] = mapped_column(Date)
    # Approval fields (审批事项).
    document_number: Mapped[str | None] = mapped_column(String(100))
    approving_authority: Mapped[str | None] = mapped_column(String(200))
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class TaskProgress(Base):
    """A progress report on a task (append-only)."""

    __tablename__ = "task_progress"
    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress_range"),
        Index("ix_task_progress_task_id_reported_at", "task_id", "reported_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    task_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("task.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    progress: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str] = mapped_column(String(200))
    reported_by_name: Mapped[str] = mapped_column(String(200))
    reported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
