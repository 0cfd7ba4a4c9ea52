"""Queries of supervision items (督办), their progress reports and the published result list.

Every query is limited to the caller's scope by joining the project (``project_in_scope``); row-level
security is the second line. Lists use keyset pagination on (sort key, id), dates among the keys
(``services.projects.repository.keyset_page``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, and_, not_, select

from kernel.auth.principal import DataScope
from kernel.db.keyset import keyset_page
from kernel.pagination import PageRequest, PageResult
from services.projects.registry.models import Project
from services.projects.repository import ProjectScopedRepository, project_in_scope
from services.projects.supervision.errors import SupervisionNotFound
from services.projects.supervision.models import SupervisionItem, SupervisionReport


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


class SupervisionRepository(ProjectScopedRepository[SupervisionItem]):
    model = SupervisionItem
    not_found = SupervisionNotFound
    project_key = SupervisionItem.project_id

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(SupervisionItem.id).where(SupervisionItem.id == ident))) is not None

    def _scoped(self, scope: DataScope, region_prefix: str | None) -> Select[tuple[SupervisionItem]]:
        stmt = select(SupervisionItem)
        if not scope.unrestricted or region_prefix is not None:
            stmt = stmt.join(Project, Project.id == SupervisionItem.project_id).where(project_in_scope(scope))
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
