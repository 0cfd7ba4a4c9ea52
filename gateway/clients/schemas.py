"""Request and response schemas of the machine-client routes (never the ORM models)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from gateway.accounts import DisplayName, RegionCode
from kernel.auth.permissions import CLIENT_SCOPES
from kernel.auth.roles import Role
from kernel.pagination import Page


def _known_scope(value: str) -> str:
    if value not in CLIENT_SCOPES:
        raise ValueError(f"可选权限范围：{'、'.join(sorted(CLIENT_SCOPES))}")
    return value


ClientScope = Annotated[str, AfterValidator(_known_scope),
                        WithJsonSchema({"type": "string", "enum": sorted(CLIENT_SCOPES)})]


class ClientCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_id: Annotated[str, StringConstraints(min_length=3, max_length=64),
                         Field(description="客户端 ID：3–64 位小写字母、数字或 ._-", examples=["municipal-registry"])]
    name: DisplayName
    scopes: list[ClientScope] = Field(min_length=1, description="授予的权限范围")
    region_code: RegionCode | None = Field(default=None, description="数据范围；不填则只能读取不分区的数据")


class ClientRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    client_id: str
    name: str
    scopes: list[str]
    roles: list[Role]
    region_code: str | None
    active: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ClientCreated(ClientRead):
    client_secret: str = Field(description="客户端密钥：只在此时显示一次，请妥善保存")


class ClientPage(Page[ClientRead]):
    pass
