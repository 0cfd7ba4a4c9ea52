"""Revealing sealed personal fields: one request shape (a stated purpose and the fields wanted) and
one answer shape in every service, whatever fields a record seals. A service subclasses the bases
with the fields it seals (``fields: list[Literal["id_card", "phone"]]`` and one optional string per
field in the answer). Each reveal is audited by the use case that serves it (the purpose is kept,
the value never is: decision 0009)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Purpose = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=200),
                    Field(description="查看事由（写入审计日志）", examples=["核实住户联系方式，准备入户签约"])]
FIELDS = "要查看完整值的字段"


class RevealRequestBase(BaseModel):
    """Asking for a masked value in full: the purpose goes to the audit trail, the value never
    does (decision 0009)."""

    model_config = ConfigDict(extra="forbid")

    purpose: Purpose
    fields: list[str] = Field(min_length=1, description=FIELDS)


class RevealedBase(BaseModel):
    id: uuid.UUID

    def revealed(self) -> dict[str, str | None]:
        """The fields shown in full (for the audit entry's field names, never its values)."""
        return {k: v for k, v in self.model_dump(exclude={"id"}).items() if v is not None}


class RevealRequest(RevealRequestBase):
    """Asking for a masked value in full: the purpose goes to the audit trail, the value never
    does (decision 0009)."""

    fields: list[Literal["phone"]] = Field(min_length=1, max_length=1, description=FIELDS)  # type: ignore[assignment]


# A phone number shown in full (people of the projects service, users of the gateway). No docstring:
# it would become the published schema's description.
class Revealed(RevealedBase):
    phone: str | None = Field(default=None, description="完整手机号")
