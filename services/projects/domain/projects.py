"""Use cases for projects. They receive the session and never commit:
the request's edge commits, so a refused request writes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.concurrency import check_version
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from services.projects.db.models import Project
from services.projects.db.repositories import ProjectFilter, ProjectRepository, RegionRepository
from services.projects.domain.errors import ProjectCodeTaken, ProjectIdTaken, ProjectNotFound, UnknownRegion
from services.projects.vocabulary import LandPath, ProjectType, Stage


@dataclass(frozen=True, slots=True)
class ProjectDraft:
    code: str
    name: str
    type: ProjectType
    land_path: LandPath
    region_code: str
    zone: str | None = None
    target_households: int | None = None
    target_floor_area: Decimal | None = None
    target_land_mu: Decimal | None = None
    target_investment: Decimal | None = None
    stage: Stage = Stage.reserve
    id: uuid.UUID | None = None


#: Fields an update may change. The stage moves only through the stage machine.
UPDATABLE = frozenset({
    "name", "type", "land_path", "region_code", "zone", "target_households",
    "target_floor_area", "target_land_mu", "target_investment",
})


async def _require_region(session: AsyncSession, code: str) -> None:
    if not await RegionRepository(session).exists(code):
        raise UnknownRegion(errors=[FieldError("body.region_code", "unknown_region", f"行政区划 {code} 不存在")])


async def create_project(session: AsyncSession, draft: ProjectDraft) -> Project:
    repo = ProjectRepository(session)
    await _require_region(session, draft.region_code)
    if await repo.code_taken(draft.code):
        raise ProjectCodeTaken(errors=[FieldError("body.code", "code_taken", f"项目编号 {draft.code} 已存在")])
    if draft.id is not None and await repo.get(draft.id) is not None:
        raise ProjectIdTaken()
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    values["id"] = draft.id or uuid.uuid4()
    values["type"] = draft.type.value
    values["land_path"] = draft.land_path.value
    values["stage"] = draft.stage.value
    return await repo.add(Project(**values))


async def get_project(session: AsyncSession, project_id: uuid.UUID) -> Project:
    project = await ProjectRepository(session).get(project_id)
    if project is None:
        raise ProjectNotFound()
    return project


async def list_projects(
    session: AsyncSession,
    page: PageRequest,
    *,
    region_prefix: str | None = None,
    type: ProjectType | None = None,
    stage: Stage | None = None,
    updated_since: dt.datetime | None = None,
) -> PageResult[Project]:
    f = ProjectFilter(region_prefix=region_prefix, type=type.value if type else None,
                      stage=stage.value if stage else None, updated_since=updated_since)
    return await ProjectRepository(session).page(f, page)


async def update_project(session: AsyncSession, project_id: uuid.UUID, changes: dict[str, Any],
                         expected_version: int | None) -> Project:
    project = await get_project(session, project_id)
    check_version(project.version, expected_version)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if "region_code" in changes and changes["region_code"] != project.region_code:
        await _require_region(session, changes["region_code"])
    for name, value in changes.items():
        setattr(project, name, value.value if isinstance(value, ProjectType | LandPath) else value)
    await session.flush()
    return project
