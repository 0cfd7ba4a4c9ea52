"""Revealing a sealed personal field: the request (a stated purpose) and the answer, one schema for
every service (each reveal is audited by the use case that serves it)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class RevealRequest(BaseModel):
    """Asking for a masked value in full: the purpose goes to the audit trail, the value never
    does (decision 0009)."""

    model_config = ConfigDict(extra="forbid")

    purpose: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200),
                       Field(description="查看事由（写入审计日志）", examples=["核实住户联系方式，准备入户签约"])]
    fields: list[Literal["phone"]] = Field(min_length=1, max_length=1, description="要查看完整值的字段")


class Revealed(BaseModel):
    id: uuid.UUID
    phone: str | None = Field(default=None, description="完整手机号")
