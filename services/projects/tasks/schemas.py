"""Request and response schemas: tasks (任务清单), approvals, progress reports and backward-scheduled
plans (倒排工期)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel import calendar
from kernel.pagination import Page
from kernel.web.schemas import MergePatch, RowsJson, attributes_of
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Percent = Annotated[int, Field(ge=0, le=100, description="进度百分比（0–100）")]
StepKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


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


class ApprovalFields(BaseModel):
    document_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] | None = \
        Field(default=None, description="批复文号（审批类任务）", examples=["益发改审〔2026〕118号"])
    approving_authority: UnitName | None = Field(default=None, description="审批机关（审批类任务）")
    approved_on: dt.date | None = Field(default=None, description="批复日期（审批类任务）")


class TaskCreate(Owner, ApprovalFields):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID（离线采集时使用）")
    title: Title
    kind: TaskKind = Field(default=TaskKind.general, description="任务类型：一般任务或审批事项")
    description: Text | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = Field(default=None, description="计划完成日期（逾期以此判断）")
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    status: TaskStatus = TaskStatus.not_started
    progress: Percent = 0
    duration_days: int | None = Field(default=None, ge=1, le=3650, description="工期（天）")
    working_days: bool = Field(default=False, description="工期按工作日计算")
    depends_on: list[uuid.UUID] = Field(default_factory=list, max_length=50, description="前置任务 ID")


class TaskUpdate(Owner, ApprovalFields, MergePatch):
    """Only the fields sent change; ``null`` clears an optional field."""

    not_null = ("title", "kind", "status", "progress", "working_days")

    title: Title | None = None
    kind: TaskKind | None = None
    description: Text | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    status: TaskStatus | None = None
    progress: Percent | None = None
    duration_days: int | None = Field(default=None, ge=1, le=3650)
    working_days: bool | None = None


class TaskRead(OwnerRead):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    title: str
    kind: TaskKind
    kind_label: str = Field(description="任务类型（中文）")
    is_approval: bool = Field(description="是否审批事项")
    description: str | None
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    status: TaskStatus
    status_label: str
    progress: int
    overdue: bool = Field(description="已过计划完成日期且未完成")
    duration_days: int | None
    working_days: bool
    depends_on: list[uuid.UUID]
    plan_target: dt.date | None = Field(description="倒排工期的目标日期")
    document_number: str | None
    approving_authority: str | None
    approved_on: dt.date | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        task_derived(values, calendar.today())
        return values


def task_derived(values: dict[str, Any], today: dt.date) -> None:
    """What a task's record derives from its values: labels, approval, overdue (as of ``today``)."""
    kind, status = TaskKind(values["kind"]), TaskStatus(values["status"])
    end = values["planned_end"]
    values.update(kind_label=kind.label, is_approval=kind.is_approval,
                  status_label=status.label, depends_on=list(values["depends_on"] or []),
                  overdue=end is not None and end < today and status.is_open)


#: A page of tasks written from rows (the lists' hot path; decision 0018); ``derive`` per request (today).
TASK_ROWS = RowsJson(TaskRead, derived=("kind_label", "is_approval", "status_label", "overdue"))


class TaskPage(Page[TaskRead]):
    pass


class ProgressCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    progress: Percent
    note: Text = Field(description="进展说明")
    status: TaskStatus | None = Field(default=None, description="报告后的状态；默认推进中，100% 为已完成")


class ProgressRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    task_id: uuid.UUID
    progress: int
    status: TaskStatus
    note: str
    reported_by_name: str
    reported_at: dt.datetime


class ProgressPage(Page[ProgressRead]):
    pass


class PlanStep(Owner):
    model_config = ConfigDict(extra="forbid")

    key: StepKey = Field(description="步骤编号（本次计划内唯一，供前置关系引用）", examples=["survey"])
    task_id: uuid.UUID | None = Field(default=None, description="重排已有任务时填写其 ID；不填则新建任务")
    title: Title | None = Field(default=None, description="新任务名称")
    kind: TaskKind = TaskKind.general
    description: Text | None = None
    duration_days: int = Field(ge=1, le=3650, description="工期（天）")
    working_days: bool = Field(default=False, description="工期按工作日（法定节假日和调休）计算")
    after: list[StepKey] | None = Field(default=None, max_length=50,
                                        description="须先完成的步骤编号；不填为列表中的上一步，空列表为无前置")


class TaskPlanCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_date: dt.date = Field(description="目标日期：最后的步骤在当日完成")
    steps: list[PlanStep] = Field(min_length=1, max_length=200)
    dry_run: bool = Field(default=False, description="只计算，不保存")


class PlannedTaskRead(BaseModel):
    key: str
    task_id: uuid.UUID | None
    title: str
    kind: TaskKind
    planned_start: dt.date
    planned_end: dt.date
    duration_days: int
    working_days: bool
    after: list[str]
    starts_before_today: bool = Field(description="计划开始日期早于今天（工期已不足）")
    created: bool


class TaskPlanRead(BaseModel):
    target_date: dt.date
    start: dt.date = Field(description="最早的计划开始日期")
    feasible: bool = Field(description="所有步骤都不早于今天开始")
    late_steps: list[str] = Field(description="须早于今天开始的步骤编号")
    dry_run: bool
    items: list[PlannedTaskRead]
