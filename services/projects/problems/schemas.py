"""Request and response schemas: the problem ledger (问题清单): registration (挂号), progress notes,
closure (销号) with evidence, reopening and the history."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel import calendar
from kernel.pagination import Page
from kernel.web.schemas import MergePatch, attributes_of
from services.projects.problems.vocabulary import ProblemCategory, ProblemEventKind, ProblemStatus

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
UnitName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


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
        values = attributes_of(cls, data)
        today = calendar.today()
        status = ProblemStatus(data.status)
        values.update(category_label=ProblemCategory(data.category).label,
                      status_label=status.label,
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
        values = attributes_of(cls, data)
        values["kind_label"] = ProblemEventKind(data.kind).label
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
