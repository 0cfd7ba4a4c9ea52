"""Errors of the projects domain (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, NotFound
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


#: What a violated database constraint means, for the races that slip past the checks.
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_project_code": ProjectCodeTaken,
    "pk_project": ProjectIdTaken,
    "fk_project_region_code_region": UnknownRegion,
}
