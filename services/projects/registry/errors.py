"""Errors of the projects domain (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound
from services.projects.regions.errors import UnknownRegion


class ProjectNotFound(NotFound):
    code = "project.not_found"
    title_zh = "项目不存在"
    title_en = "Project not found"


class ProjectCodeTaken(Conflict):
    code = "project.code_taken"
    title_zh = "项目编号已存在"
    title_en = "A project with this code already exists"


class ProjectIdTaken(Conflict):
    code = "project.id_taken"
    title_zh = "项目 ID 已存在"
    title_en = "A project with this id already exists"


class MidwayRegistrationRequired(Invalid):
    """A project registered at a stage after the first of its path: an explicit act, with its
    reason and the evidence of the stages passed (decision 0021)."""

    code = "project.registered_midway_required"
    title_zh = "登记在第一个阶段之后的项目须作为中途登记，说明事由并提供已过阶段的依据"
    title_en = "Registering a project past its first stage needs registered_midway (reason and evidence)"


class RegistrationInvalid(Invalid):
    """The stage a project is registered at, or its mid-way registration, breaks a rule (field
    errors say which)."""

    code = "project.registration_invalid"
    title_zh = "项目登记阶段或中途登记说明有误"
    title_en = "The registration stage or the mid-way registration is invalid"


#: What a violated database constraint means, for the races that slip past the checks.
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_project_code": ProjectCodeTaken,
    "pk_project": ProjectIdTaken,
    "fk_project_region_code_region": UnknownRegion,
}
