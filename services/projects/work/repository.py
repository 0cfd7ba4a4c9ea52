"""Queries of tasks, documents, the problem ledger and supervision items.

Every query is limited to the caller's scope by joining the project (``scope_clause``); row-level
security is the second line. Lists use keyset pagination on (sort key, id); sort keys may be dates,
which the kernel's generic paginator does not decode, hence ``keyset_page`` here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, func, literal, literal_column, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, undefer

from kernel.auth.principal import DataScope
from kernel.db.repository import Repository, scope_clause
from kernel.pagination import BadCursor, PageRequest, PageResult, decode_cursor, encode_cursor
from services.projects.registry.models import Project
from services.projects.work.models import (
    OPEN_TASK_STATUSES,
    ProblemEvent,
    ProblemEvidence,
    ProblemRecord,
    SupervisionItem,
    SupervisionReport,
    Task,
    TaskProgress,
    WorkDocument,
)

M = TypeVar("M", bound=DeclarativeBase)

#: A date far in the future: rows without a date sort last.
NO_DATE = dt.date(9999, 12, 31)


def _parse(kind: str, raw: str) -> Any:
    try:
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "uuid":
            return uuid.UUID(raw)
        return int(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor() from exc


async def keyset_page(session: AsyncSession, stmt: Select[tuple[M]],
                      keys: Sequence[tuple[Any, str]], page: PageRequest, *, rows: bool = False) -> PageResult[Any]:
    """Keyset pagination over ``keys`` (expression, kind: date | datetime | uuid | int), ascending, the
    last key unique. The key values are selected with the rows, so expressions (``coalesce``) work.
    ``rows``: answer read-only rows of the entity's columns instead of ORM instances (cheaper to
    load, see ``kernel.db.repository.Repository.paginate_rows``)."""
    exprs = [e for e, _ in keys]
    if page.cursor is not None:
        raw = decode_cursor(page.cursor, len(keys))
        values = [_parse(kind, v) for (_, kind), v in zip(keys, raw, strict=True)]
        clauses = []
        for i, expr in enumerate(exprs):
            clauses.append(and_(*[exprs[j] == values[j] for j in range(i)], expr > values[i]))
        stmt = stmt.where(or_(*clauses))
    if rows:
        entity = stmt.column_descriptions[0]["entity"]
        stmt = stmt.with_only_columns(*entity.__table__.columns, maintain_column_froms=True)
    labelled = stmt.add_columns(*[e.label(f"_k{i}") for i, e in enumerate(exprs)])
    found = list((await session.execute(labelled.order_by(*exprs).limit(page.limit + 1))).all())
    next_cursor = None
    if len(found) > page.limit:
        found = found[: page.limit]
        last_keys = found[-1][-len(keys):]
        next_cursor = encode_cursor([v.isoformat() if isinstance(v, dt.date) else v for v in last_keys])
    return PageResult(items=found if rows else [r[0] for r in found], next_cursor=next_cursor)


def _in_scope(scope: DataScope) -> ColumnElement[bool]:
    return scope_clause(scope, Project.region_code, Project.id)


# --- tasks ------------------------------------------------------------------------------------------


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


class TaskRepository(Repository[Task]):
    model = Task

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(Task.id).where(Task.id == ident))) is not None

    async def get_in_scope(self, ident: uuid.UUID, scope: DataScope, *, lock: bool = False) -> Task | None:
        stmt = select(Task).join(Project, Project.id == Task.project_id).where(Task.id == ident, _in_scope(scope))
        if lock:
            stmt = stmt.with_for_update(of=Task)
        return (await self.session.scalars(stmt)).first()

    async def of_project(self, project_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[Task]:
        if not ids:
            return []
        stmt = select(Task).where(Task.project_id == project_id, Task.id.in_(list(ids)))
        return list((await self.session.scalars(stmt)).all())

    async def page(self, f: TaskFilter, scope: DataScope, page: PageRequest) -> PageResult[Any]:
        """Rows to read (not instances to change)."""
        stmt = select(Task)
        if not scope.unrestricted:
            stmt = stmt.join(Project, Project.id == Task.project_id).where(_in_scope(scope))
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


# --- documents --------------------------------------------------------------------------------------


class DocumentRepository(Repository[WorkDocument]):
    model = WorkDocument

    async def get_in_scope(self, ident: uuid.UUID, scope: DataScope, *, with_content: bool = False,
                           lock: bool = False) -> WorkDocument | None:
        """``lock``: ``FOR NO KEY UPDATE`` of the document row, read afresh. That lock does not block the
        key-share lock a new evidence row's foreign key takes, so closing a problem never waits on it."""
        stmt = (select(WorkDocument).join(Project, Project.id == WorkDocument.project_id)
                .where(WorkDocument.id == ident, _in_scope(scope)))
        if with_content:
            stmt = stmt.options(undefer(WorkDocument.content))
        if lock:
            stmt = (stmt.with_for_update(of=WorkDocument, key_share=True)
                    .execution_options(populate_existing=True))
        return (await self.session.scalars(stmt)).first()

    async def of_task(self, task_id: uuid.UUID, *, include_withdrawn: bool = False) -> list[WorkDocument]:
        stmt = select(WorkDocument).where(WorkDocument.task_id == task_id)
        return await self._listed(stmt, include_withdrawn)

    async def of_problem(self, problem_id: uuid.UUID, *, include_withdrawn: bool = False) -> list[WorkDocument]:
        stmt = select(WorkDocument).where(WorkDocument.problem_id == problem_id)
        return await self._listed(stmt, include_withdrawn)

    async def _listed(self, stmt: Select[tuple[WorkDocument]], include_withdrawn: bool) -> list[WorkDocument]:
        if not include_withdrawn:
            stmt = stmt.where(WorkDocument.withdrawn_at.is_(None))
        stmt = stmt.order_by(WorkDocument.uploaded_at, WorkDocument.id)
        return list((await self.session.scalars(stmt)).all())

    async def count_for_task(self, task_id: uuid.UUID) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(WorkDocument).where(WorkDocument.task_id == task_id)) or 0)


# --- problems ---------------------------------------------------------------------------------------


def problem_overdue_clause(today: dt.date) -> ColumnElement[bool]:
    return and_(ProblemRecord.status == literal_column("'open'"), ProblemRecord.deadline < today)


@dataclass(frozen=True, slots=True)
class ProblemFilter:
    project_id: uuid.UUID | None = None
    region_prefix: str | None = None
    status: str | None = None
    category: str | None = None
    overdue: bool | None = None
    due_by: dt.date | None = None  # open and due on or before this date (the 10-day agenda)
    updated_since: dt.datetime | None = None
    today: dt.date | None = None


class ProblemRepository(Repository[ProblemRecord]):
    model = ProblemRecord

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(ProblemRecord.id).where(ProblemRecord.id == ident))) is not None

    async def get_in_scope(self, ident: uuid.UUID, scope: DataScope, *, lock: bool = False) -> ProblemRecord | None:
        stmt = (select(ProblemRecord).join(Project, Project.id == ProblemRecord.project_id)
                .where(ProblemRecord.id == ident, _in_scope(scope)))
        if lock:
            stmt = stmt.with_for_update(of=ProblemRecord)
        return (await self.session.scalars(stmt)).first()

    async def page(self, f: ProblemFilter, scope: DataScope, page: PageRequest) -> PageResult[ProblemRecord]:
        stmt = select(ProblemRecord)
        if not scope.unrestricted or f.region_prefix is not None:
            stmt = stmt.join(Project, Project.id == ProblemRecord.project_id).where(_in_scope(scope))
        if f.region_prefix is not None:
            stmt = stmt.where(Project.region_code.startswith(f.region_prefix, autoescape=True))
        if f.project_id is not None:
            stmt = stmt.where(ProblemRecord.project_id == f.project_id)
        if f.status is not None:
            stmt = stmt.where(ProblemRecord.status == f.status)
        if f.category is not None:
            stmt = stmt.where(ProblemRecord.category == f.category)
        today = f.today or dt.date.today()
        if f.overdue is True:
            stmt = stmt.where(problem_overdue_clause(today))
        elif f.overdue is False:
            stmt = stmt.where(not_(problem_overdue_clause(today)))
        if f.due_by is not None:
            stmt = stmt.where(ProblemRecord.status == "open", ProblemRecord.deadline <= f.due_by)
        if f.updated_since is not None:
            stmt = stmt.where(ProblemRecord.updated_at > f.updated_since)
            return await keyset_page(self.session, stmt, [(ProblemRecord.updated_at, "datetime"),
                                                          (ProblemRecord.id, "uuid")], page)
        return await keyset_page(self.session, stmt, [(ProblemRecord.deadline, "date"),
                                                      (ProblemRecord.id, "uuid")], page)

    async def overdue_without_supervision(self, today: dt.date, limit: int) -> list[ProblemRecord]:
        """Open problems past their deadline whose current overdue episode has no supervision item yet,
        locked (others skipped) so two runs at once never open two items for one episode."""
        escalated = select(SupervisionItem.id).where(SupervisionItem.problem_id == ProblemRecord.id,
                                                     SupervisionItem.problem_episode == ProblemRecord.episode)
        stmt = (select(ProblemRecord).where(problem_overdue_clause(today), ~escalated.exists())
                .order_by(ProblemRecord.deadline, ProblemRecord.id).limit(limit)
                .with_for_update(skip_locked=True))
        return list((await self.session.scalars(stmt)).all())

    async def history(self, problem_id: uuid.UUID) -> list[ProblemEvent]:
        stmt = select(ProblemEvent).where(ProblemEvent.problem_id == problem_id).order_by(ProblemEvent.at,
                                                                                           ProblemEvent.id)
        return list((await self.session.scalars(stmt)).all())

    async def evidence(self, problem_id: uuid.UUID) -> list[ProblemEvidence]:
        stmt = select(ProblemEvidence).where(ProblemEvidence.problem_id == problem_id).order_by(
            ProblemEvidence.id)
        return list((await self.session.scalars(stmt)).all())

    async def cites_as_evidence(self, problem_id: uuid.UUID, document_id: uuid.UUID) -> bool:
        """Whether any closure (销号) of the problem names the document among its evidence."""
        stmt = select(ProblemEvidence.id).where(ProblemEvidence.problem_id == problem_id,
                                                ProblemEvidence.document_id == document_id).limit(1)
        return (await self.session.scalar(stmt)) is not None

    async def documents(self, problem_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[WorkDocument]:
        if not ids:
            return []
        stmt = select(WorkDocument).where(WorkDocument.problem_id == problem_id, WorkDocument.id.in_(list(ids)))
        return list((await self.session.scalars(stmt)).all())


# --- supervision ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SupervisionFilter:
    project_id: uuid.UUID | None = None
    region_prefix: str | None = None
    status: str | None = None
    source: str | None = None
    overdue: bool | None = None
    problem_id: uuid.UUID | None = None
    updated_since: dt.datetime | None = None
    today: dt.date | None = None


class SupervisionRepository(Repository[SupervisionItem]):
    model = SupervisionItem

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(SupervisionItem.id).where(SupervisionItem.id == ident))) is not None

    async def get_in_scope(self, ident: uuid.UUID, scope: DataScope, *,
                           lock: bool = False) -> SupervisionItem | None:
        stmt = (select(SupervisionItem).join(Project, Project.id == SupervisionItem.project_id)
                .where(SupervisionItem.id == ident, _in_scope(scope)))
        if lock:
            stmt = stmt.with_for_update(of=SupervisionItem)
        return (await self.session.scalars(stmt)).first()

    def _scoped(self, scope: DataScope, region_prefix: str | None) -> Select[tuple[SupervisionItem]]:
        stmt = select(SupervisionItem)
        if not scope.unrestricted or region_prefix is not None:
            stmt = stmt.join(Project, Project.id == SupervisionItem.project_id).where(_in_scope(scope))
        if region_prefix is not None:
            stmt = stmt.where(Project.region_code.startswith(region_prefix, autoescape=True))
        return stmt

    async def page(self, f: SupervisionFilter, scope: DataScope, page: PageRequest) -> PageResult[SupervisionItem]:
        stmt = self._scoped(scope, f.region_prefix)
        if f.project_id is not None:
            stmt = stmt.where(SupervisionItem.project_id == f.project_id)
        if f.status is not None:
            stmt = stmt.where(SupervisionItem.status == f.status)
        if f.source is not None:
            stmt = stmt.where(SupervisionItem.source == f.source)
        if f.problem_id is not None:
            stmt = stmt.where(SupervisionItem.problem_id == f.problem_id)
        today = f.today or dt.date.today()
        overdue = and_(SupervisionItem.status == "open", SupervisionItem.deadline < today)
        if f.overdue is True:
            stmt = stmt.where(overdue)
        elif f.overdue is False:
            stmt = stmt.where(not_(overdue))
        if f.updated_since is not None:
            stmt = stmt.where(SupervisionItem.updated_at > f.updated_since)
            return await keyset_page(self.session, stmt, [(SupervisionItem.updated_at, "datetime"),
                                                          (SupervisionItem.id, "uuid")], page)
        return await keyset_page(self.session, stmt, [(SupervisionItem.deadline, "date"),
                                                      (SupervisionItem.id, "uuid")], page)

    async def results(self, scope: DataScope, since: dt.date | None, until: dt.date | None,
                      region_prefix: str | None, source: str | None,
                      page: PageRequest) -> PageResult[SupervisionItem]:
        """Closed items with their results, by closing date (the published result list)."""
        stmt = self._scoped(scope, region_prefix).where(SupervisionItem.status == "closed")
        if since is not None:
            stmt = stmt.where(SupervisionItem.closed_on >= since)
        if until is not None:
            stmt = stmt.where(SupervisionItem.closed_on <= until)
        if source is not None:
            stmt = stmt.where(SupervisionItem.source == source)
        return await keyset_page(self.session, stmt, [(SupervisionItem.closed_on, "date"),
                                                      (SupervisionItem.id, "uuid")], page)

    async def open_for_problem(self, problem_id: uuid.UUID) -> list[SupervisionItem]:
        stmt = (select(SupervisionItem).where(SupervisionItem.problem_id == problem_id,
                                              SupervisionItem.status == "open")
                .order_by(SupervisionItem.id).with_for_update())
        return list((await self.session.scalars(stmt)).all())

    async def reports(self, item_id: uuid.UUID) -> list[SupervisionReport]:
        stmt = select(SupervisionReport).where(SupervisionReport.item_id == item_id).order_by(
            SupervisionReport.reported_at, SupervisionReport.id)
        return list((await self.session.scalars(stmt)).all())
