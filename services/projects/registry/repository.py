"""Queries of the projects service."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, or_, select

from kernel.auth.principal import DataScope
from kernel.db.keyset import count_rows, sorted_rows_page
from kernel.db.repository import ScopedRepository, scope_clause
from kernel.pagination import PageRequest, PageResult
from services.projects.registry.errors import ProjectNotFound
from services.projects.registry.models import Project


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    region_prefix: str | None = None
    type: str | None = None
    stage: str | None = None
    updated_since: dt.datetime | None = None
    with_geometry: bool = False
    q: str | None = None


class ProjectRepository(ScopedRepository[Project]):
    model = Project
    not_found = ProjectNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return scope_clause(scope, Project.region_code, Project.id)

    async def exists(self, ident: uuid.UUID) -> bool:
        """Whether the id is taken at all (any scope): for client-generated ids."""
        return (await self.session.scalar(select(Project.id).where(Project.id == ident))) is not None

    async def code_taken(self, code: str) -> bool:
        return (await self.session.scalar(select(Project.id).where(Project.code == code))) is not None

    def _filtered(self, f: ProjectFilter, scope: DataScope) -> Select[tuple[Project]]:
        stmt = self.scoped(scope)
        if f.region_prefix is not None:
            stmt = stmt.where(Project.region_code.startswith(f.region_prefix, autoescape=True))
        if f.type is not None:
            stmt = stmt.where(Project.type == f.type)
        if f.stage is not None:
            stmt = stmt.where(Project.stage == f.stage)
        if f.with_geometry:
            stmt = stmt.where(Project.geometry.is_not(None))
        if f.q is not None:  # a scan of the scoped projects: a few thousand rows at most
            stmt = stmt.where(or_(Project.name.icontains(f.q, autoescape=True),
                                  Project.code.icontains(f.q, autoescape=True)))
        if f.updated_since is not None:
            stmt = stmt.where(Project.updated_at > f.updated_since)
        return stmt

    async def page(self, f: ProjectFilter, scope: DataScope, page: PageRequest, sort: str = "code") -> PageResult[Any]:
        """Rows to read (not instances to change): see ``Repository.paginate_rows``. ``updated_since``
        pages by change time whatever ``sort`` says (delta sync)."""
        stmt = self._filtered(f, scope)
        if f.updated_since is not None:
            return await self.paginate_rows(stmt, [Project.updated_at, Project.id], page)
        if sort == "code":  # the default, and the hot path: its cursor is the code alone
            return await self.paginate_rows(stmt, [Project.code], page)
        key = {"code": Project.code, "name": Project.name, "updated_at": Project.updated_at}[sort.lstrip("-")]
        return await sorted_rows_page(self.session, stmt, list(Project.__table__.columns), sort=sort, key=key,
                                      ident=Project.id, descending=sort.startswith("-"), page=page)

    async def count(self, f: ProjectFilter, scope: DataScope) -> int:
        return await count_rows(self.session, self._filtered(f, scope))
