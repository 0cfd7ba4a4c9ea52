"""Use cases for administrative regions, and the check other slices make of a region they are given."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import Principal
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from kernel.regions import RegionLevel, level_of, parent_of
from services.projects.database import RECORDS
from services.projects.regions.errors import (
    ParentRegionMissing,
    RegionExists,
    RegionNotFound,
    RegionOutsideScope,
    UnknownRegion,
)
from services.projects.regions.models import Region
from services.projects.regions.repository import RegionFilter, RegionRepository


@dataclass(frozen=True, slots=True)
class RegionDraft:
    code: str
    name: str


async def create_region(session: AsyncSession, actor: Principal, draft: RegionDraft) -> Region:
    repo = RegionRepository(session)
    level = level_of(draft.code)
    parent = parent_of(draft.code)
    if await repo.exists(draft.code):
        raise RegionExists(errors=[FieldError("body.code", "region_exists", "该行政区划代码已存在")])
    if parent is not None and not await repo.exists(parent):
        raise ParentRegionMissing(
            f"parent {parent} is not registered",
            errors=[FieldError("body.code", "parent_missing", f"上级区划 {parent} 尚未登记")],
        )
    region = await repo.add(Region(code=draft.code, name=draft.name, level=level.value, parent_code=parent))
    await RECORDS.record_change(session, actor, action="region.create", entity_type="region", entity_id=region.code,
                                region_code=region.code,
                                after={"code": region.code, "name": region.name, "level": region.level})
    return region


async def get_region(session: AsyncSession, code: str) -> Region:
    region = await RegionRepository(session).get(code)
    if region is None:
        raise RegionNotFound()
    return region


async def list_regions(session: AsyncSession, page: PageRequest, *, parent_code: str | None = None,
                       level: RegionLevel | None = None, prefix: str | None = None) -> PageResult[Region]:
    f = RegionFilter(parent_code=parent_code, level=level.value if level else None, prefix=prefix)
    return await RegionRepository(session).page(f, page)


async def require_region(session: AsyncSession, actor: Principal, code: str, path: str = "body.region_code") -> None:
    """A region a record is placed in: registered, and within the caller's scope."""
    if not await RegionRepository(session).exists(code):
        raise UnknownRegion(errors=[FieldError(path, "unknown_region", f"行政区划 {code} 不存在")])
    if not actor.scope.allows(code):
        raise RegionOutsideScope(errors=[FieldError(path, "outside_scope", "该区划不在您的管辖范围内")])
