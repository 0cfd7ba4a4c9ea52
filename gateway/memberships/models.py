"""The task-force memberships the gateway keeps from the projects feed."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import DateTime, String, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from gateway.database import Base
from kernel.db.session import utcnow


class TaskForceMembership(Base):
    """A task-force membership as the projects service announces it
    (``projects.taskforce.member.changed``), by the member's account. A user's token
    carries the projects of their current memberships besides those set by an admin.
    Only a newer version of a membership replaces the one held."""

    __tablename__ = "taskforce_membership"

    member_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    current: Mapped[bool]
    version: Mapped[int]
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=text("now()"),
                                                    default=utcnow, onupdate=utcnow)
