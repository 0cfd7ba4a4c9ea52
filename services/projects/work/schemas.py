"""Request and response schemas: tasks, documents, the problem ledger and supervision items."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel import calendar
from kernel.pagination import Page
from kernel.web.schemas import MergePatch, RowsJson, attributes_of
from services.projects.work.vocabulary import (
    PROBLEM_CATEGORY_LABELS,
    PROBLEM_EVENT_LABELS,
    PROBLEM_STATUS_LABELS,
    SUPERVISION_SOURCE_LABELS,
    SUPERVISION_STATUS_LABELS,
    TASK_KIND_LABELS,
    TASK_STATUS_LABELS,
    ProblemCategory,
    ProblemEventKind,
    ProblemStatus,
    SupervisionSource,
    SupervisionStatus,
    TaskKind,
    TaskStatus,
)

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Percent = Annotated[int, Field(ge=0, le=100, description="进度百分比（0–100）")]
StepKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]


def _attrs(cls: type[BaseModel], data: Any) -> dict[str, Any]:
    return attributes_of(cls, data)


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


# --- tasks ------------------------------------------------------------------------------------------


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
        values = _attrs(cls, data)
        task_derived(values, calendar.today())
        return values


def task_derived(values: dict[str, Any], today: dt.date) -> None:
    """What a task's record derives from its values: labels, approval, overdue (as of ``today``)."""
    kind, status = TaskKind(values["kind"]), TaskStatus(values["status"])
    end = values["planned_end"]
    values.update(kind_label=TASK_KIND_LABELS[kind], is_approval=kind.is_approval,
                  status_label=TASK_STATUS_LABELS[status], depends_on=list(values["depends_on"] or []),
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


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    task_id: uuid.UUID | None
    problem_id: uuid.UUID | None
    file_name: str
    content_type: str
    size_bytes: int
    sha256: str = Field(description="内容的 SHA-256（十六进制），下载时作为 ETag")
    description: str | None
    storage: str = Field(description="database | directory")
    uploaded_by_name: str
    uploaded_at: dt.datetime
    download_url: str = Field(description="下载地址（已作废的附件仍可下载，档案留存）")
    withdrawn: bool = Field(description="是否已作废")
    withdrawn_at: dt.datetime | None = Field(description="作废时间")
    withdrawn_by_name: str | None = Field(description="作废人")
    withdrawal_reason: str | None = Field(description="作废原因")

    @model_validator(mode="before")
    @classmethod
    def _url(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = _attrs(cls, data)
        values["download_url"] = f"/api/v1/projects/documents/{data.id}/content"
        values["withdrawn"] = values.get("withdrawn_at") is not None
        return values


class DocumentList(BaseModel):
    items: list[DocumentRead]


class DocumentWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)] = Field(
        description="作废原因（2–500 字），如“上传错误，已重新上传正确版本”", examples=["误传了其他项目的批复，作废"])


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


# --- problems ---------------------------------------------------------------------------------------


class ProblemCreate(Owner):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID（离线采集时使用）")
    category: ProblemCategory
    title: Title
    description: Text
    measure: Text | None = Field(default=None, description="攻坚措施")
    deadline: dt.date = Field(description="清零时限")
    registered_on: dt.date | None = Field(default=None, description="挂号日期（默认今天）")


class ProblemUpdate(Owner, MergePatch):
    not_null = ("category", "title", "description", "deadline")

    category: ProblemCategory | None = None
    title: Title | None = None
    description: Text | None = None
    measure: Text | None = None
    deadline: dt.date | None = None


class ProblemRead(OwnerRead):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    category: ProblemCategory
    category_label: str
    title: str
    description: str
    measure: str | None
    deadline: dt.date
    registered_on: dt.date
    status: ProblemStatus
    status_label: str
    overdue: bool = Field(description="已过清零时限且未销号")
    days_to_deadline: int = Field(description="距清零时限的天数（负数为已逾期天数）")
    closed_on: dt.date | None
    closing_note: str | None
    episode: int = Field(description="逾期轮次（重新打开或调整时限后加一）")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = _attrs(cls, data)
        today = calendar.today()
        status = ProblemStatus(data.status)
        values.update(category_label=PROBLEM_CATEGORY_LABELS[ProblemCategory(data.category)],
                      status_label=PROBLEM_STATUS_LABELS[status],
                      overdue=status is ProblemStatus.open and data.deadline < today,
                      days_to_deadline=(data.deadline - today).days)
        return values


class ProblemPage(Page[ProblemRead]):
    pass


class ProblemNote(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    note: Text = Field(description="进展说明")


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document_id: uuid.UUID | None = Field(default=None, description="已上传到该问题的附件 ID")
    reference: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)] | None = \
        Field(default=None, description="文件依据（如会议纪要编号、档案号）")

    @model_validator(mode="after")
    def _one(self) -> EvidenceItem:
        if (self.document_id is None) == (self.reference is None):
            raise ValueError("每项佐证须且只须填写 document_id 或 reference 之一")
        return self


class ProblemClose(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(default="", max_length=4000, description="销号说明")
    evidence: list[EvidenceItem] = Field(default_factory=list, max_length=50, description="佐证材料（至少一项）")
    closed_on: dt.date | None = Field(default=None, description="销号日期（默认今天）")


class ProblemReopen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(default="", max_length=4000, description="重新打开的原因")
    deadline: dt.date | None = Field(default=None, description="新的清零时限（不填则沿用）")


class ProblemEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ProblemEventKind
    kind_label: str
    note: str | None
    status: ProblemStatus
    changes: dict[str, Any] | None
    by_name: str
    at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _label(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = _attrs(cls, data)
        values["kind_label"] = PROBLEM_EVENT_LABELS[ProblemEventKind(data.kind)]
        return values


class ProblemHistory(BaseModel):
    items: list[ProblemEventRead]


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    closure_event_id: uuid.UUID
    document_id: uuid.UUID | None
    reference: str | None


class EvidenceList(BaseModel):
    items: list[EvidenceRead]


# --- supervision ------------------------------------------------------------------------------------


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
        values = _attrs(cls, data)
        status = SupervisionStatus(data.status)
        values.update(source_label=SUPERVISION_SOURCE_LABELS[SupervisionSource(data.source)],
                      status_label=SUPERVISION_STATUS_LABELS[status],
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
