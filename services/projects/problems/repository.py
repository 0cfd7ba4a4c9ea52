"""Queries of the problem ledger (问题清单): problems, their history and closing evidence, and the
overdue problems still to escalate.

Every query is limited to the caller's scope by joining the project (``project_in_scope``); row-level
security is the second line. Lists use keyset pagination on (sort key, id), dates among the keys
(``services.projects.repository.keyset_page``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, literal_column, not_, select

from kernel.auth.principal import DataScope
from kernel.db.keyset import keyset_page
from kernel.pagination import PageRequest, PageResult
from services.projects.problems.errors import ProblemNotFound
from services.projects.problems.models import ProblemEvent, ProblemEvidence, ProblemRecord
from services.projects.registry.models import Project
from services.projects.repository import ProjectScopedRepository, project_in_scope
from services.projects.supervision.models import SupervisionItem


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


class ProblemRepository(ProjectScopedRepository[ProblemRecord]):
    model = ProblemRecord
    not_found = ProblemNotFound
    project_key = ProblemRecord.project_id

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(ProblemRecord.id).where(ProblemRecord.id == ident))) is not None

    async def page(self, f: ProblemFilter, scope: DataScope, page: PageRequest) -> PageResult[ProblemRecord]:
        stmt = select(ProblemRecord)
        if not scope.unrestricted or f.region_prefix is not None:
            stmt = stmt.join(Project, Project.id == ProblemRecord.project_id).where(project_in_scope(scope))
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
