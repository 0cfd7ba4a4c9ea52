"""Errors: land parcels (地块) and their supply (交地, 挂牌, 成交) (no HTTP: the kernel maps kinds to
statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class ParcelNotFound(NotFound):
    code = "parcel.not_found"
    title_zh = "地块不存在"
    title_en = "Parcel not found"


class ParcelCodeTaken(Conflict):
    code = "parcel.code_taken"
    title_zh = "地块编号已存在"
    title_en = "A parcel with this code already exists"


class ParcelIdTaken(Conflict):
    code = "parcel.id_taken"
    title_zh = "地块 ID 已存在"
    title_en = "A parcel with this id already exists"


class ParcelProjectUnknown(Invalid):
    code = "parcel.project_unknown"
    title_zh = "所填项目不存在或不在您的管辖范围内"
    title_en = "The project named does not exist or is outside your scope"


class ParcelAreaInvalid(Invalid):
    code = "parcel.area_invalid"
    title_zh = "地块面积不正确（亩与平方米须一致，1 亩 = 666.67 平方米）"
    title_en = "The parcel's area is missing or its mu and square metres disagree"


class ParcelTransitionRefused(Conflict):
    code = "parcel.transition_refused"
    title_zh = "地块状态不能这样变更"
    title_en = "The parcel cannot move to that status"


class ParcelDateInvalid(Invalid):
    code = "parcel.date_invalid"
    title_zh = "日期不正确：不能晚于今天，也不能早于上一步"
    title_en = "The date is in the future or before the previous step"


class ParcelPriceInvalid(Invalid):
    code = "parcel.price_invalid"
    title_zh = "成交价不正确：须大于 0 且不低于挂牌起始价"
    title_en = "The sale price must be positive and not below the starting price"


class ParcelSettled(Conflict):
    code = "parcel.settled"
    title_zh = "地块已成交，不能再修改面积和用途"
    title_en = "A sold parcel's area and use can no longer change"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_parcel_code": ParcelCodeTaken,
    "pk_parcel": ParcelIdTaken,
    "fk_parcel_project_id_project": ParcelProjectUnknown,
    "ck_parcel_area_positive": ParcelAreaInvalid,
}
