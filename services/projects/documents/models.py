"""Tables: documents attached to a task or a problem (``work_document``), their content kept in the
database or in a directory under its hash, and their withdrawal (作废).

Every row carries ``project_id`` (row-level security follows the project).
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.session import new_id, utcnow
from services.projects.database import Base

__all__ = ["Base", "WorkDocument"]


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
