"""Errors of the projects domain (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, ConstraintErrors, Denied, Invalid, NotFound


class RegionNotFound(NotFound):
    code = "region.not_found"
    title_zh = "行政区划不存在"
    title_en = "Region not found"


class UnknownRegion(Invalid):
    code = "region.unknown"
    title_zh = "所填行政区划不存在"
    title_en = "The region named does not exist"


class RegionExists(Conflict):
    code = "region.exists"
    title_zh = "该行政区划代码已存在"
    title_en = "A region with this code already exists"


class ParentRegionMissing(Invalid):
    code = "region.parent_missing"
    title_zh = "上级行政区划不存在，请先登记上级区划"
    title_en = "The parent region does not exist"


class RegionOutsideScope(Denied):
    code = "scope.region_outside"
    title_zh = "该行政区划不在您的管辖范围内"
    title_en = "The region is outside your scope"


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
CONSTRAINT_ERRORS = ConstraintErrors({
    "uq_project_code": ProjectCodeTaken,
    "pk_project": ProjectIdTaken,
    "pk_region": RegionExists,
    "fk_project_region_code_region": UnknownRegion,
    "fk_region_parent_code_region": ParentRegionMissing,
})
