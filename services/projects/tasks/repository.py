"""Queries of tasks (任务清单) and their progress reports.

Every query is limited to the caller's scope by joining the project (``project_in_scope``); row-level
security is the second line. Lists use keyset pagination on (sort key, id), dates among the keys
(``services.projects.repository.keyset_page``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, literal, literal_column, not_, select

from kernel.auth.principal import DataScope
from kernel.db.keyset import keyset_page
from kernel.pagination import PageRequest, PageResult
from services.projects.registry.models import Project
from services.projects.repository import ProjectScopedRepository, project_in_scope
from services.projects.tasks.errors import TaskNotFound
from services.projects.tasks.models import OPEN_TASK_STATUSES, Task, TaskProgress

#: A date far in the future: rows without a date sort last.
NO_DATE = dt.date(9999, 12, 31)


def task_overdue_clause(today: dt.date) -> ColumnElement[bool]:
    """Open and past its planned end (spelled as the partial index's predicate, so it is used)."""
    # Literal statuses, not bind parameters: a generic plan can only use a partial index whose
    # predicate it can prove from constants.
    statuses: list[Any] = [literal_column(f"'{s}'") for s in OPEN_TASK_STATUSES]
    return and_(Task.status.in_(statuses), Task.planned_end.is_not(None), Task.planned_end < today)


@dataclass(frozen=True, slots=True)
class TaskFilter:
    project_id: uuid.UUID | None = None
    status: str | None = None
    kind: str | None = None
    approvals_only: bool = False
    overdue: bool | None = None
    due_before: dt.date | None = None
    updated_since: dt.datetime | None = None
    today: dt.date | None = None


class TaskRepository(ProjectScopedRepository[Task]):
    model = Task
    not_found = TaskNotFound
    project_key = Task.project_id

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(Task.id).where(Task.id == ident))) is not None

    async def of_project(self, project_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Task]:
        if not ids:
            return []
        stmt = select(Task).where(Task.project_id == project_id, Task.id.in_(list(ids)))
        return list((await self.session.scalars(stmt)).all())

    async def page(self, f: TaskFilter, scope: DataScope, page: PageRequest) -> PageResult[Any]:
        """Rows to read (not instances to change)."""
        stmt = select(Task)
        if not scope.unrestricted:
            stmt = stmt.join(Project, Project.id == Task.project_id).where(project_in_scope(scope))
        if f.project_id is not None:
            stmt = stmt.where(Task.project_id == f.project_id)
        if f.status is not None:
            stmt = stmt.where(Task.status == f.status)
        if f.kind is not None:
            stmt = stmt.where(Task.kind == f.kind)
        if f.approvals_only:
            stmt = stmt.where(Task.kind != "general")
        if f.due_before is not None:
            stmt = stmt.where(Task.planned_end < f.due_before)
        if f.updated_since is not None:
            stmt = stmt.where(Task.updated_at > f.updated_since)
            return await keyset_page(self.session, stmt, [(Task.updated_at, "datetime"), (Task.id, "uuid")], page,
                                     rows=True)
        if f.overdue is not None:
            today = f.today or dt.date.today()
            if f.overdue:
                # Served by ix_task_open_by_deadline: (project_id, planned_end, id) over open rows.
                stmt = stmt.where(task_overdue_clause(today))
                return await keyset_page(self.session, stmt, [(Task.planned_end, "date"), (Task.id, "uuid")],
                                         page, rows=True)
            stmt = stmt.where(not_(task_overdue_clause(today)))
        due = func.coalesce(Task.planned_end, literal(NO_DATE))
        return await keyset_page(self.session, stmt, [(due, "date"), (Task.id, "uuid")], page, rows=True)

    async def progress_page(self, task_id: uuid.UUID, page: PageRequest) -> PageResult[TaskProgress]:
        stmt = select(TaskProgress).where(TaskProgress.task_id == task_id)
        return await keyset_page(self.session, stmt, [(TaskProgress.reported_at, "datetime"),
                                                      (TaskProgress.id, "uuid")], page)
