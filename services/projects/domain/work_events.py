"""Events published: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and
supervision items (督办) (schemas exported to ``openapi/events/``).

Each payload carries the record's state after the change and ``change``, what happened; ``version`` is
the record's version, so a consumer keeps only the newest."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import Field

from kernel.events import EventPayload


class TaskChanged(EventPayload):
    """A task was created, planned, reported on, or changed (status and dates included), or one of its
    documents was uploaded or withdrawn (作废)."""

    event_type: ClassVar[str] = "projects.task.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    change: str = Field(description="created | updated | planned | progress | document | document_withdrawn")
    title: str
    kind: str
    status: str
    progress: int
    owner_name: str | None
    owner_unit_name: str | None
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_end: dt.date | None
    version: int


class ProblemChanged(EventPayload):
    """A problem was registered, worked on, changed, closed (销号), reopened or escalated, or one of its
    documents was uploaded or withdrawn (作废)."""

    event_type: ClassVar[str] = "projects.problem.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    change: str = Field(description="registered | progress | changed | closed | reopened | escalated | document"
                                    " | document_withdrawn")
    category: str
    title: str
    status: str
    deadline: dt.date
    closed_on: dt.date | None
    episode: int
    version: int


class SupervisionChanged(EventPayload):
    """A supervision item (督办) was opened, reported on, changed or closed with its result."""

    event_type: ClassVar[str] = "projects.supervision.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    change: str = Field(description="opened | progress | changed | closed")
    source: str
    subject: str
    status: str
    deadline: dt.date
    closed_on: dt.date | None
    problem_id: uuid.UUID | None
    version: int


PUBLISHED: list[type[EventPayload]] = [TaskChanged, ProblemChanged, SupervisionChanged]
