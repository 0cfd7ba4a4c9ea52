"""Errors of administrative regions (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, Denied, DomainError, Invalid, NotFound


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


CONSTRAINTS: dict[str, type[DomainError]] = {
    "pk_region": RegionExists,
    "fk_region_parent_code_region": ParentRegionMissing,
}
