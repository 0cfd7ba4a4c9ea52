"""Request and response schemas: supervision items (督办), their progress reports, closure with a result
and the published result list (督办结果通报)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel import calendar
from kernel.pagination import Page
from kernel.web.schemas import MergePatch, attributes_of
from services.projects.supervision.vocabulary import SupervisionSource, SupervisionStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Percent = Annotated[int, Field(ge=0, le=100, description="进度百分比（0–100）")]


# Who answers for the record: the same fields as a task's (a slice's schemas are its own).
class Owner(BaseModel):
    owner_name: PersonName | None = Field(default=None, description="责任人姓名")
    owner_unit_name: UnitName | None = Field(default=None, description="责任单位名称")
    owner_person_id: uuid.UUID | None = Field(default=None, description="责任人 ID（指挥体系中的人员，可选）")
    owner_unit_id: uuid.UUID | None = Field(default=None, description="责任单位 ID（指挥体系中的单位，可选）")


class OwnerRead(BaseModel):
    owner_name: str | None
    owner_unit_name: str | None
    owner_person_id: uuid.UUID | None
    owner_unit_id: uuid.UUID | None


class SupervisionCreate(Owner):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    project_id: uuid.UUID
    source: SupervisionSource = Field(description="交办会议：日调度、周通报、旬协调（“问题逾期”由系统生成）")
    meeting_date: dt.date
    meeting_title: Title = Field(examples=["2026年第46周征拆工作周通报"])
    subject: Title = Field(description="督办事项")
    detail: Text | None = None
    deadline: dt.date = Field(description="办理时限")


class SupervisionUpdate(Owner, MergePatch):
    not_null = ("meeting_date", "meeting_title", "subject", "deadline")

    meeting_date: dt.date | None = None
    meeting_title: Title | None = None
    subject: Title | None = None
    detail: Text | None = None
    deadline: dt.date | None = None


class SupervisionRead(OwnerRead):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    source: SupervisionSource
    source_label: str
    meeting_date: dt.date
    meeting_title: str
    subject: str
    detail: str | None
    deadline: dt.date
    status: SupervisionStatus
    status_label: str
    overdue: bool
    progress: int
    result: str | None
    closed_on: dt.date | None
    problem_id: uuid.UUID | None = Field(description="逾期问题转督办时的问题 ID")
    problem_episode: int | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        status = SupervisionStatus(data.status)
        values.update(source_label=SupervisionSource(data.source).label,
                      status_label=status.label,
                      overdue=status is SupervisionStatus.open and data.deadline < calendar.today())
        return values


class SupervisionPage(Page[SupervisionRead]):
    pass


class SupervisionReportCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    note: Text = Field(description="办理进展")
    progress: Percent | None = None


class SupervisionReportRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    item_id: uuid.UUID
    progress: int | None
    note: str
    reported_by_name: str
    reported_at: dt.datetime


class SupervisionReportList(BaseModel):
    items: list[SupervisionReportRead]


class SupervisionClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    result: str = Field(default="", max_length=4000, description="办理结果（将在督办结果通报中公布）")
    closed_on: dt.date | None = Field(default=None, description="办结日期（默认今天）")
