"""Request and response schemas of the user-account routes (never the ORM models)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gateway.accounts import DisplayName, Password, RegionCode, UserRead
from kernel.auth.roles import Role
from kernel.pagination import Page
from kernel.web.schemas import MergePatch

Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=11, max_length=20),
                  Field(description="大陆手机号（11 位；可带 +86）", examples=["13907370001"])]


RebindHousehold = Annotated[bool, Field(description="该户已关联其他居民账号时明确改绑（须填写 rebind_reason；"
                                                   "原账号取消关联，记入审计）")]
RebindReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=500),
                         Field(description="改绑住户的理由（写入审计日志）", examples=["户主已变更，由子女代为办理"])]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID（离线采集时使用）")
    username: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=64),
                        Field(description="用户名：3–64 位小写字母、数字或 ._-（不区分大小写）",
                              examples=["heshan.field_worker"])]
    display_name: DisplayName
    phone: Phone | None = None
    roles: list[Role] = Field(min_length=1, max_length=len(Role), description="角色（integration 仅用于客户端）")
    region_code: RegionCode
    project_ids: list[uuid.UUID] = Field(default_factory=list, max_length=200, description="所属工作专班的项目")
    household_id: uuid.UUID | None = Field(default=None, description="居民本人所在的户（仅居民账号）")
    rebind_household: RebindHousehold = False
    rebind_reason: RebindReason | None = None


class UserUpdate(MergePatch):
    """Only the fields sent are changed; ``phone: null`` removes the number."""

    not_null = ("display_name", "roles", "region_code", "project_ids", "active")

    display_name: DisplayName | None = None
    phone: Phone | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=len(Role))
    region_code: RegionCode | None = None
    project_ids: list[uuid.UUID] | None = Field(default=None, max_length=200)
    household_id: uuid.UUID | None = Field(default=None, description="居民本人所在的户；null 取消关联")
    active: bool | None = Field(default=None, description="停用后该用户的所有登录立即失效")
    rebind_household: RebindHousehold = False
    rebind_reason: RebindReason | None = None

    def changes(self) -> dict[str, Any]:
        """The account's fields to change (the rebind is how, not what)."""
        return {k: v for k, v in super().changes().items() if k not in ("rebind_household", "rebind_reason")}


class PasswordSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password = Field(description="新密码：8–128 位，至少包含大写字母、小写字母、数字、符号中的三类")


class UserPage(Page[UserRead]):
    pass
