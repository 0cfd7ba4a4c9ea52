"""Use cases for projects. They receive the session and the caller, and never
commit: the request's edge commits, so a refused request writes nothing.
Every read is limited to the caller's scope (a project outside it is "not
found"), and every change is written to the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.audit import diff
from kernel.auth import Principal
from kernel.concurrency import check_version
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from services.projects.db.models import RECORDS, Project
from services.projects.db.repositories import ProjectFilter, ProjectRepository, RegionRepository
from services.projects.domain.errors import (
    ProjectCodeTaken,
    ProjectIdTaken,
    ProjectNotFound,
    RegionOutsideScope,
    UnknownRegion,
)
from services.projects.domain.events import ProjectChanged
from services.projects.vocabulary import LandPath, ProjectType, Stage

__all__ = ["RECORDS", "ProjectDraft", "create_project", "get_project", "list_projects", "update_project"]


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
AUDITED = (*sorted(UPDATABLE), "code", "stage")


def snapshot(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in AUDITED}


async def _announce(session: AsyncSession, project: Project) -> None:
    await RECORDS.outbox.emit(session, ProjectChanged(
        id=project.id, code=project.code, name=project.name, type=project.type, land_path=project.land_path,
        region_code=project.region_code, stage=project.stage, version=project.version,
    ), aggregate_type="project", aggregate_id=project.id, region_code=project.region_code, project_id=project.id)


async def _require_region(session: AsyncSession, actor: Principal, code: str) -> None:
    if not await RegionRepository(session).exists(code):
        raise UnknownRegion(errors=[FieldError("body.region_code", "unknown_region", f"行政区划 {code} 不存在")])
    if not actor.scope.allows(code):
        raise RegionOutsideScope(errors=[FieldError("body.region_code", "outside_scope", "该区划不在您的管辖范围内")])


async def create_project(session: AsyncSession, actor: Principal, draft: ProjectDraft) -> Project:
    repo = ProjectRepository(session)
    await _require_region(session, actor, draft.region_code)
    if await repo.code_taken(draft.code):
        raise ProjectCodeTaken(errors=[FieldError("body.code", "code_taken", f"项目编号 {draft.code} 已存在")])
    if draft.id is not None and await repo.exists(draft.id):
        raise ProjectIdTaken()
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    values["id"] = draft.id or uuid.uuid4()
    values["type"] = draft.type.value
    values["land_path"] = draft.land_path.value
    values["stage"] = draft.stage.value
    project = await repo.add(Project(**values))
    await _announce(session, project)
    await RECORDS.audit.record(session, actor=actor, action="project.create", entity_type="project",
                               entity_id=project.id, region_code=project.region_code, project_id=project.id,
                               after=snapshot(project))
    return project


async def get_project(session: AsyncSession, actor: Principal, project_id: uuid.UUID) -> Project:
    project = await ProjectRepository(session).get_in_scope(project_id, actor.scope)
    if project is None:
        raise ProjectNotFound()
    return project


async def list_projects(
    session: AsyncSession,
    actor: Principal,
    page: PageRequest,
    *,
    region_prefix: str | None = None,
    type: ProjectType | None = None,
    stage: Stage | None = None,
    updated_since: dt.datetime | None = None,
) -> PageResult[Project]:
    f = ProjectFilter(region_prefix=region_prefix, type=type.value if type else None,
                      stage=stage.value if stage else None, updated_since=updated_since)
    return await ProjectRepository(session).page(f, actor.scope, page)


async def update_project(session: AsyncSession, actor: Principal, project_id: uuid.UUID, changes: dict[str, Any],
                         expected_version: int | None) -> Project:
    project = await get_project(session, actor, project_id)
    check_version(project.version, expected_version)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if "region_code" in changes and changes["region_code"] != project.region_code:
        await _require_region(session, actor, changes["region_code"])
    before = snapshot(project)
    for name, value in changes.items():
        setattr(project, name, value.value if isinstance(value, ProjectType | LandPath) else value)
    await session.flush()
    after = snapshot(project)
    if after != before:
        await _announce(session, project)
        await RECORDS.audit.record(session, actor=actor, action="project.update", entity_type="project",
                                   entity_id=project.id, region_code=project.region_code, project_id=project.id,
                                   **diff(before, after))
    return project
