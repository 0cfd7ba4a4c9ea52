"""Schemas: escalation rules and their firings."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kernel.pagination import Page
from services.projects.command.vocabulary import ResponsibilityLevel
from services.projects.escalation.rules import allowed_levels

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
RuleCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,39}$")]


class RuleBase(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    window_weeks: int = Field(ge=1, le=52, description="连续周数")
    threshold: int = Field(default=0, ge=0, le=100000, description="一周的数值不超过此值即计为停滞（0：零签约）")
    action: str = Field(pattern=r"^(summon_deputy|summon_principal|revoke_award|notify)$",
                        description="summon_deputy 约谈分管领导 / summon_principal 约谈主要领导 / "
                                    "revoke_award 取消当年评先资格 / notify 通报")
    concerns: list[str] = Field(default_factory=list, max_length=4,
                                description="涉及的责任人（责任链的层级）：" + allowed_levels(),
                                json_schema_extra={"items": {"type": "string",
                                                             "enum": [v.value for v in ResponsibilityLevel]}})
    region_prefix: str | None = Field(default=None, pattern=r"^[0-9]{2,12}$", description="只对该区划内生效")
    active: bool = True


class RuleCreate(RuleBase):
    model_config = ConfigDict(extra="forbid")

    code: RuleCode
    metric: str = Field(default="signings", pattern=r"^signings$", description="指标：signings 签约户数")
    subject: str = Field(default="project", pattern=r"^(project|subdistrict)$",
                         description="对象：project 项目 / subdistrict 街道")


class RuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = None
    window_weeks: int | None = Field(default=None, ge=1, le=52)
    threshold: int | None = Field(default=None, ge=0, le=100000)
    active: bool | None = None


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    metric: str
    subject: str
    window_weeks: int
    threshold: int
    action: str
    action_label: str
    concerns: list[str]
    region_prefix: str | None
    active: bool
    version: int


class RuleList(BaseModel):
    items: list[RuleRead]


class FiringRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    rule_id: uuid.UUID
    rule_code: str
    rule_name: str
    action: str
    action_label: str
    subject_kind: str
    subject_key: str
    project_id: uuid.UUID | None
    region_code: str
    episode_start: dt.date = Field(description="连续停滞的第一周（周一）")
    week_ending: dt.date = Field(description="达到规定周数的那一周的周日")
    weeks: int
    people: list[dict[str, Any]] = Field(description="涉及的责任人（触发时的责任链）")
    created_at: dt.datetime
    resolved_at: dt.datetime | None
    resolved_by: str | None
    resolution_note: str | None
    version: int


class FiringPage(Page[FiringRead]):
    pass


class FiringResolve(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Note = Field(description="处理情况（如约谈时间、整改措施）")
