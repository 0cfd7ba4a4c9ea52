"""Queries of the projects service."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select

from kernel.pagination import PageRequest, PageResult
from kernel.repository import Repository
from services.projects.db.models import Project, Region


@dataclass(frozen=True, slots=True)
class RegionFilter:
    parent_code: str | None = None
    level: str | None = None
    prefix: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectFilter:
    region_prefix: str | None = None
    type: str | None = None
    stage: str | None = None
    updated_since: dt.datetime | None = None


class RegionRepository(Repository[Region]):
    model = Region

    async def exists(self, code: str) -> bool:
        return (await self.session.scalar(select(Region.code).where(Region.code == code))) is not None

    async def page(self, f: RegionFilter, page: PageRequest) -> PageResult[Region]:
        stmt = self.select()
        if f.parent_code is not None:
            stmt = stmt.where(Region.parent_code == f.parent_code)
        if f.level is not None:
            stmt = stmt.where(Region.level == f.level)
        if f.prefix is not None:
            stmt = stmt.where(Region.code.startswith(f.prefix, autoescape=True))
        return await self.paginate(stmt, [Region.code], page)


class ProjectRepository(Repository[Project]):
    model = Project

    async def get(self, ident: uuid.UUID) -> Project | None:
        return await self.session.get(Project, ident)

    async def code_taken(self, code: str) -> bool:
        return (await self.session.scalar(select(Project.id).where(Project.code == code))) is not None

    async def page(self, f: ProjectFilter, page: PageRequest) -> PageResult[Project]:
        stmt = self.select()
        if f.region_prefix is not None:
            stmt = stmt.where(Project.region_code.startswith(f.region_prefix, autoescape=True))
        if f.type is not None:
            stmt = stmt.where(Project.type == f.type)
        if f.stage is not None:
            stmt = stmt.where(Project.stage == f.stage)
        if f.updated_since is not None:
            stmt = stmt.where(Project.updated_at > f.updated_since)
            return await self.paginate(stmt, [Project.updated_at, Project.id], page)
        return await self.paginate(stmt, [Project.code], page)
