"""Request and response schemas of the command structure (never the ORM models)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel.pagination import Page
from kernel.web.schemas import MergePatch, RegionCode, attributes_of
from services.projects.command.service import MAX_SHARE_HOUSEHOLDS
from services.projects.command.vocabulary import (
    DepartmentFunction,
    ResponsibilityLevel,
    UnitKind,
)

UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                     Field(examples=["赫山区城市更新指挥部"])]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
                       Field(description="姓名", examples=["刘建军"])]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=11, max_length=20),
                  Field(description="大陆手机号（11 位；可带 +86）", examples=["13907371234"])]
GatewayUsername = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True,
                                                   pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$"),
                            Field(description="关联的系统账号（网关用户名）", examples=["heshan.taskforce_member"])]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                  Field(description="职务", examples=["常务副指挥长"])]
MemberTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
                        Field(description="专班职务（组长、副组长、成员…）", examples=["副组长"])]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


# --- units --------------------------------------------------------------------------------------


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    kind: UnitKind = Field(description="单位类型")
    name: UnitName
    region_code: RegionCode | None = Field(default=None, description="所在区划（工作专班取其项目的区划，可不填）")
    parent_id: uuid.UUID | None = Field(default=None, description="上级单位")
    function: DepartmentFunction | None = Field(default=None, description="部门职能（仅职能部门）")
    project_id: uuid.UUID | None = Field(default=None, description="所属项目（仅工作专班，一个项目一个专班）")


class UnitUpdate(MergePatch):
    not_null = ("name", "region_code", "active")

    name: UnitName | None = None
    region_code: RegionCode | None = None
    parent_id: uuid.UUID | None = None
    function: DepartmentFunction | None = None
    active: bool | None = Field(default=None, description="是否在用（撤销的单位保留记录）")


class UnitRead(BaseModel):
    id: uuid.UUID
    kind: UnitKind
    kind_label: str = Field(description="单位类型（中文）")
    name: str
    region_code: str
    parent_id: uuid.UUID | None
    function: DepartmentFunction | None
    function_label: str | None
    project_id: uuid.UUID | None
    active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _labels(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        values["kind_label"] = UnitKind(data.kind).label
        values["function_label"] = DepartmentFunction(data.function).label if data.function else None
        return values


class UnitPage(Page[UnitRead]):
    pass


# --- people -------------------------------------------------------------------------------------


class PersonCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    name: PersonName
    region_code: RegionCode = Field(description="所属区划（数据范围）")
    phone: Phone | None = None
    gateway_username: GatewayUsername | None = None


class PersonUpdate(MergePatch):
    """``phone: null`` removes the number; ``gateway_username: null`` unlinks the account."""

    not_null = ("name", "region_code")

    name: PersonName | None = None
    region_code: RegionCode | None = None
    phone: Phone | None = None
    gateway_username: GatewayUsername | None = None


class PersonRead(BaseModel):
    """A person. The phone number is always masked (``139****1234``)."""

    id: uuid.UUID
    name: str
    phone: str | None = Field(description="手机号（脱敏）", examples=["139****1234"])
    region_code: str
    gateway_username: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PersonPage(Page[PersonRead]):
    pass


# --- positions ----------------------------------------------------------------------------------


class PositionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    unit_id: uuid.UUID
    title: Title
    started_on: dt.date | None = Field(default=None, description="任职日期")
    ended_on: dt.date | None = Field(default=None, description="离任日期（不填为现任）")


class PositionUpdate(MergePatch):
    not_null = ("title",)

    title: Title | None = None
    started_on: dt.date | None = None
    ended_on: dt.date | None = Field(default=None, description="离任日期：填写即卸任")


class PositionRead(BaseModel):
    id: uuid.UUID
    person_id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    started_on: dt.date | None
    ended_on: dt.date | None
    current: bool = Field(description="是否现任")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class PositionPage(Page[PositionRead]):
    pass


# --- responsibility chain -----------------------------------------------------------------------

HouseholdIds = Annotated[list[uuid.UUID], Field(max_length=MAX_SHARE_HOUSEHOLDS, description="包干的住户 ID")]


class ResponsibilityCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    level: ResponsibilityLevel = Field(description="责任层级（四级响应）")
    person_id: uuid.UUID
    unit_id: uuid.UUID | None = Field(default=None, description="所在单位（如坐班的职能部门）")
    household_count: int | None = Field(default=None, ge=0, le=1_000_000,
                                        description="包干户数（仅具体人员；列出住户时可不填）")
    household_ids: HouseholdIds = Field(default_factory=list)
    note: Note | None = None


class ResponsibilityUpdate(MergePatch):
    """A new ``household_ids`` list replaces the share (its length is the count); a bare
    ``household_count`` replaces a listed share with a count."""

    not_null = ("person_id",)

    person_id: uuid.UUID | None = None
    unit_id: uuid.UUID | None = None
    household_count: int | None = Field(default=None, ge=0, le=1_000_000)
    household_ids: HouseholdIds | None = None
    note: Note | None = None


class ResponsibilityRead(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    level: ResponsibilityLevel
    level_label: str = Field(description="责任层级（中文）")
    person_id: uuid.UUID
    person_name: str
    unit_id: uuid.UUID | None
    household_count: int | None
    household_ids: list[uuid.UUID]
    note: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _labels(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        values["level_label"] = ResponsibilityLevel(data.level).label
        values["household_ids"] = list(data.household_ids)
        return values


class ChainRead(BaseModel):
    """A project's four-level responsibility chain (四级响应)."""

    project_id: uuid.UUID
    lead_leader: ResponsibilityRead | None = Field(description="区级领导挂帅")
    township_secretary: ResponsibilityRead | None = Field(description="乡镇（街道）书记出征")
    department_head: ResponsibilityRead | None = Field(description="部门领导坐班")
    staff: list[ResponsibilityRead] = Field(description="具体人员包干负责")
    households_assigned: int = Field(description="已包干户数合计")
    target_households: int | None = Field(description="项目目标户数")
    complete: bool = Field(description="四级是否都已明确到人")
    missing: list[ResponsibilityLevel] = Field(description="尚未明确的层级")


# --- task forces --------------------------------------------------------------------------------


class MemberCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    title: MemberTitle = "成员"
    joined_on: dt.date | None = Field(default=None, description="加入日期（默认今天，不能晚于今天）")


class MemberUpdate(MergePatch):
    not_null = ("title", "left_on")

    title: MemberTitle | None = None
    left_on: dt.date | None = Field(default=None, description="离开日期：填写即离开专班（不能晚于今天）")


class MemberRead(BaseModel):
    id: uuid.UUID
    task_force_id: uuid.UUID
    project_id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    gateway_username: str | None
    title: str
    joined_on: dt.date
    left_on: dt.date | None
    current: bool = Field(description="是否仍在专班")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _current(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        values["task_force_id"] = data.unit_id
        values["current"] = data.left_on is None
        return values


class MemberPage(Page[MemberRead]):
    pass
