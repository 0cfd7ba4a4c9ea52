"""Request and response schemas: documents attached to tasks and problems, their lists and withdrawal
(作废)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel.web.schemas import attributes_of


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
        values = attributes_of(cls, data)
        values["download_url"] = f"/api/v1/projects/documents/{data.id}/content"
        values["withdrawn"] = values.get("withdrawn_at") is not None
        return values


class DocumentList(BaseModel):
    items: list[DocumentRead]


class DocumentWithdraw(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)] = Field(
        description="作废原因（2–500 字），如“上传错误，已重新上传正确版本”", examples=["误传了其他项目的批复，作废"])
