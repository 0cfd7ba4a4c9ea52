"""Use cases for projects. They receive the session and the caller, and never
commit: the request's edge commits, so a refused request writes nothing.
Every read is limited to the caller's scope (a project outside it is "not
found"), and every change is written to the audit trail."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import LandPath, ProjectChanged, ProjectType, Stage
from kernel.auth.principal import Principal
from kernel.concurrency import check_version
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from kernel.regions import contains
from services.projects.command import service as command_uc
from services.projects.command.errors import ProjectUnitInvalid, UnitNotFound
from services.projects.command.vocabulary import LEAD_KINDS, LegalBasis, UnitKind
from services.projects.database import RECORDS
from services.projects.regions import service as regions_uc
from services.projects.registry.errors import (
    MidwayRegistrationRequired,
    ProjectCodeTaken,
    ProjectIdTaken,
    ProjectNotFound,
    RegistrationInvalid,
)
from services.projects.registry.models import Project
from services.projects.registry.repository import ProjectFilter, ProjectRepository
from services.projects.registry.rules import (
    DEFAULT_LIMITS,
    GeometryInvalid,
    GeometryLimits,
    MidwayClaim,
    claim_record,
    midway_required,
    registration_errors,
    validate_geometry,
)

__all__ = ["RECORDS", "GeometryInvalid", "MidwayClaim", "ProjectDraft", "ProjectNotFound", "announce_project",
           "create_project", "get_project", "list_projects", "set_task_force", "update_project"]


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
    legal_basis: LegalBasis | None = None
    geometry: dict[str, Any] | None = None
    lead_unit_id: uuid.UUID | None = None
    implementing_company_id: uuid.UUID | None = None


#: Fields an update may change. The stage moves only through the stage machine; the task
#: force is set when it is formed (``command.service.create_unit``).
UPDATABLE = frozenset({
    "name", "type", "land_path", "region_code", "zone", "target_households",
    "target_floor_area", "target_land_mu", "target_investment",
    "legal_basis", "geometry", "lead_unit_id", "implementing_company_id",
})
AUDITED = (*sorted(UPDATABLE), "code", "stage", "task_force_id")


def snapshot(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in AUDITED}


def _changed(project: Project) -> ProjectChanged:
    return ProjectChanged(
        id=project.id, code=project.code, name=project.name, type=project.type, land_path=project.land_path,
        region_code=project.region_code, stage=project.stage, version=project.version)


async def announce_project(session: AsyncSession, project: Project) -> None:
    """Announce the project as it now stands, for a change another slice records (a stage move
    is audited by the stage machine)."""
    await RECORDS.outbox.emit(session, _changed(project), aggregate_type="project", aggregate_id=project.id,
                              region_code=project.region_code, project_id=project.id)


async def _require_unit(session: AsyncSession, actor: Principal, unit_id: uuid.UUID | None, region_code: str,
                        kinds: frozenset[UnitKind], name: str) -> None:
    """A unit the project names: visible to the caller, of a fitting kind, and responsible for
    the project's region (its own region contains the project's)."""
    if unit_id is None:
        return
    path = f"body.{name}"
    try:
        unit = await command_uc.get_unit(session, actor, unit_id)
    except UnitNotFound as exc:
        raise ProjectUnitInvalid(errors=[FieldError(path, "unknown_unit", "单位不存在")]) from exc
    if UnitKind(unit.kind) not in kinds:
        allowed = "、".join(k.label for k in sorted(kinds))
        raise ProjectUnitInvalid(errors=[FieldError(path, "unit_kind", f"单位类型须为：{allowed}")])
    if not contains(unit.region_code, region_code):
        raise ProjectUnitInvalid(errors=[
            FieldError(path, "unit_region", "该单位不负责项目所在区划")])


def _geometry(value: dict[str, Any] | None, limits: GeometryLimits) -> dict[str, Any] | None:
    return None if value is None else validate_geometry(value, field="body.geometry", limits=limits)


async def _check_refs(session: AsyncSession, actor: Principal, region_code: str, lead_unit_id: uuid.UUID | None,
                      implementing_company_id: uuid.UUID | None) -> None:
    await _require_unit(session, actor, lead_unit_id, region_code, LEAD_KINDS, "lead_unit_id")
    await _require_unit(session, actor, implementing_company_id, region_code,
                        frozenset({UnitKind.implementing_company}), "implementing_company_id")


def check_registration(draft: ProjectDraft, midway: MidwayClaim | None) -> None:
    """A project starts at the first stage of its type's path, or is registered mid-way: at a later
    stage of that path, with a reason and the evidence of every stage passed (decision 0021)."""
    errors = registration_errors(draft.type, draft.stage, midway)
    if errors:
        raise RegistrationInvalid(errors=errors)
    if midway is None and midway_required(draft.type, draft.stage):
        raise MidwayRegistrationRequired(errors=[FieldError(
            "body.registered_midway", "midway_required",
            f"登记在“{draft.stage.label}”阶段须填写中途登记说明：事由和此前各阶段的依据")])


async def create_project(session: AsyncSession, actor: Principal, draft: ProjectDraft, *,
                         geometry_limits: GeometryLimits = DEFAULT_LIMITS,
                         midway: MidwayClaim | None = None) -> Project:
    """Register a project; at a stage after the first of its path only with ``midway`` (its
    reason and evidence go to the audit entry)."""
    check_registration(draft, midway)
    repo = ProjectRepository(session)
    await regions_uc.require_region(session, actor, draft.region_code)
    geometry = _geometry(draft.geometry, geometry_limits)
    await _check_refs(session, actor, draft.region_code, draft.lead_unit_id, draft.implementing_company_id)
    if await repo.code_taken(draft.code):
        raise ProjectCodeTaken(errors=[FieldError("body.code", "code_taken", f"项目编号 {draft.code} 已存在")])
    if draft.id is not None and await repo.exists(draft.id):
        raise ProjectIdTaken()
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    values["id"] = draft.id or uuid.uuid4()
    values["type"] = draft.type.value
    values["land_path"] = draft.land_path.value
    values["stage"] = draft.stage.value
    values["legal_basis"] = draft.legal_basis.value if draft.legal_basis else None
    values["geometry"] = geometry
    project = await repo.add(Project(**values))
    after = snapshot(project)
    if midway is not None:
        after["registered_midway"] = claim_record(draft.type, draft.stage, midway)
    await RECORDS.record_change(session, actor, action="project.create", entity_type="project", entity_id=project.id,
                                region_code=project.region_code, project_id=project.id, after=after,
                                event=_changed(project))
    return project


async def get_project(session: AsyncSession, actor: Principal, project_id: uuid.UUID) -> Project:
    return await ProjectRepository(session).require(project_id, actor.scope)


async def list_projects(
    session: AsyncSession,
    actor: Principal,
    page: PageRequest,
    *,
    region_prefix: str | None = None,
    type: ProjectType | None = None,
    stage: Stage | None = None,
    updated_since: dt.datetime | None = None,
    with_geometry: bool = False,
    q: str | None = None,
    sort: str = "code",
) -> PageResult[Any]:
    f = ProjectFilter(region_prefix=region_prefix, type=type.value if type else None,
                      stage=stage.value if stage else None, updated_since=updated_since, with_geometry=with_geometry,
                      q=q)
    return await ProjectRepository(session).page(f, actor.scope, page, sort)


async def count_projects(session: AsyncSession, actor: Principal, *, region_prefix: str | None = None,
                         type: ProjectType | None = None, stage: Stage | None = None,
                         updated_since: dt.datetime | None = None, q: str | None = None) -> int:
    """How many projects in the caller's scope match the list's filters (``?count=true``)."""
    f = ProjectFilter(region_prefix=region_prefix, type=type.value if type else None,
                      stage=stage.value if stage else None, updated_since=updated_since, q=q)
    return await ProjectRepository(session).count(f, actor.scope)


async def update_project(session: AsyncSession, actor: Principal, project_id: uuid.UUID, changes: dict[str, Any],
                         expected_version: int | None, *,
                         geometry_limits: GeometryLimits = DEFAULT_LIMITS) -> Project:
    project = await get_project(session, actor, project_id)
    check_version(project.version, expected_version)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    region_moved = "region_code" in changes and changes["region_code"] != project.region_code
    if region_moved:
        await regions_uc.require_region(session, actor, changes["region_code"])
    if "geometry" in changes:
        changes = {**changes, "geometry": _geometry(changes["geometry"], geometry_limits)}
    region_code = changes.get("region_code", project.region_code)
    lead = changes.get("lead_unit_id", project.lead_unit_id)
    company = changes.get("implementing_company_id", project.implementing_company_id)
    if region_moved or changes.get("lead_unit_id") not in (None, project.lead_unit_id):
        await _require_unit(session, actor, lead, region_code, LEAD_KINDS, "lead_unit_id")
    if region_moved or changes.get("implementing_company_id") not in (None, project.implementing_company_id):
        await _require_unit(session, actor, company, region_code, frozenset({UnitKind.implementing_company}),
                            "implementing_company_id")
    before = snapshot(project)
    for name, value in changes.items():
        setattr(project, name, value.value if isinstance(value, enum.Enum) else value)
    await session.flush()
    after = snapshot(project)
    if region_moved and project.task_force_id is not None:
        await command_uc.move_task_force(session, actor, project.task_force_id, project.region_code)
    if after != before:
        await _record_update(session, actor, project, before, after)
    return project


async def set_task_force(session: AsyncSession, actor: Principal, project: Project, unit_id: uuid.UUID) -> None:
    """The project's task force was formed (``command.service.create_unit``)."""
    before = snapshot(project)
    project.task_force_id = unit_id
    await session.flush()
    await _record_update(session, actor, project, before, snapshot(project))


async def _record_update(session: AsyncSession, actor: Principal, project: Project, before: dict[str, Any],
                         after: dict[str, Any]) -> None:
    await RECORDS.record_change(session, actor, action="project.update", entity_type="project", entity_id=project.id,
                                region_code=project.region_code, project_id=project.id, before=before, after=after,
                                changed_only=True, event=_changed(project))

