"""Schemas: stages, escalation rules and firings, scheduled jobs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from kernel.pagination import Page
from services.projects.vocabulary import Stage

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ConditionRead(BaseModel):
    code: str = Field(description="条件代码（稳定）")
    label: str = Field(description="条件内容")
    met: bool
    detail: str = Field(description="依据的数字")


class GateRead(BaseModel):
    stage: Stage
    stage_label: str
    allowed: bool
    conditions: list[ConditionRead]


class StageRowRead(BaseModel):
    stage: Stage
    stage_label: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    current: bool
    delayed: bool = Field(description="按计划应已开始或结束而未开始或结束")


class StagesRead(BaseModel):
    project_id: uuid.UUID
    stage: Stage
    stage_label: str
    version: int
    stages: list[StageRowRead] = Field(description="该类型项目依次经过的阶段（老旧小区改造不含征迁阶段）")
    next: GateRead | None = Field(description="下一阶段及其前置条件（今天的状态）")


class StagePlanItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stage: Stage
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None


class StagePlanUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stages: list[StagePlanItem] = Field(min_length=1, max_length=14)


class StageMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_stage: Stage = Field(description="目标阶段：下一阶段；签约阶段可回到征询阶段")
    on: dt.date | None = Field(default=None, description="进入日期（业务日期，默认今天，不得晚于今天）")
    note: Note | None = None


class TransitionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    from_stage: Stage
    to_stage: Stage
    kind: str = Field(description="advance 推进 / return 回退")
    on: dt.date
    at: dt.datetime
    actor: str
    actor_name: str
    note: str | None
    conditions: list[ConditionRead] = Field(description="推进时前置条件的状态")


class TransitionList(BaseModel):
    items: list[TransitionRead]


# --- escalation ------------------------------------------------------------------------------------

RuleCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{2,39}$")]


class RuleBase(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    window_weeks: int = Field(ge=1, le=52, description="连续周数")
    threshold: int = Field(default=0, ge=0, le=100000, description="一周的数值不超过此值即计为停滞（0：零签约）")
    action: str = Field(pattern=r"^(summon_deputy|summon_principal|revoke_award|notify)$",
                        description="summon_deputy 约谈分管领导 / summon_principal 约谈主要领导 / "
                                    "revoke_award 取消当年评先资格 / notify 通报")
    concerns: list[str] = Field(default_factory=list, max_length=4,
                                description="涉及的责任人：lead_district_leader, township_secretary, "
                                            "department_head_on_duty, responsible_staff")
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


class JobRead(BaseModel):
    name: str
    label: str
    runs: int
    last_started_at: dt.datetime | None
    last_finished_at: dt.datetime | None
    last_result: dict[str, Any] | None
    last_error: str | None


class JobList(BaseModel):
    items: list[JobRead]
