"""Schemas: a project's stages — the plan, the gate of the next stage, moves and history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from contracts.projects import Stage

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
