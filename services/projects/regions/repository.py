"""Queries of administrative regions (行政区划)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from kernel.db.repository import Repository
from kernel.pagination import PageRequest, PageResult
from services.projects.regions.models import Region


@dataclass(frozen=True, slots=True)
class RegionFilter:
    parent_code: str | None = None
    level: str | None = None
    prefix: str | None = None


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
