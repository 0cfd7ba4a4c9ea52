"""Tables: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and supervision
items (督办).

Every row carries ``project_id`` (row-level security follows the project). Owners are plain fields (a
person's and a unit's name, with optional ids of the command structure's records, without a foreign
key): a ledger keeps the name it was given even when the command structure changes later. Vocabularies
are strings here; their values and Chinese labels live in ``domain/work_vocabulary.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import TimestampMixin, new_id, utcnow
from services.projects.database import Base

__all__ = [
    "Base",
    "ProblemEvent",
    "ProblemEvidence",
    "ProblemRecord",
    "SupervisionItem",
    "SupervisionReport",
    "Task",
    "TaskProgress",
    "WorkDocument",
]

#: Task statuses that still count towards overdue (kept in step with ``TaskStatus`` in the domain).
OPEN_TASK_STATUSES = ("not_started", "in_progress")


class OwnerColumns:
    """Who answers for a record: names as given, ids of the command structure when known."""

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


class WorkDocument(Base):
    """A file attached to a task (an approval's documents) or to a problem (closing evidence). The
    content is kept in the database, or in a configured directory under its SHA-256 hash.

    A document is never deleted (an archive keeps its files): it may be withdrawn (作废), which records
    when, by whom and why, hides it from the owner's document list by default, and keeps its content."""

    __tablename__ = "work_document"
    __table_args__ = (
        CheckConstraint("(task_id IS NULL) <> (problem_id IS NULL)", name="one_owner"),
        CheckConstraint("storage IN ('database', 'directory')", name="storage_known"),
        CheckConstraint("(storage = 'database') = (content IS NOT NULL)", name="content_where_stored"),
        CheckConstraint("size_bytes >= 0", name="size_non_negative"),
        # A withdrawal is recorded whole: when, by whom and why, or not at all.
        CheckConstraint("(withdrawn_at IS NULL) = (withdrawn_by IS NULL) AND "
                        "(withdrawn_at IS NULL) = (withdrawn_by_name IS NULL) AND "
                        "(withdrawn_at IS NULL) = (withdrawal_reason IS NULL)", name="withdrawal_whole"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    task_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("task.id"), index=True)
    problem_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("problem.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(500))
    storage: Mapped[str] = mapped_column(String(16))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_by_name: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Withdrawal (作废): all four set together, or none.
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_by_name: Mapped[str | None] = mapped_column(String(200))
    withdrawal_reason: Mapped[str | None] = mapped_column(String(500))


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
