"""Request and response schemas of signing in and of who am I (never the ORM models)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gateway.accounts import Password, UserRead
from kernel.auth.principal import Principal
from kernel.auth.roles import Role

RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=256),
                             Field(description="登录或刷新时取得的刷新令牌")]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, StringConstraints(min_length=1, max_length=128),
                        Field(description="用户名（不区分大小写）", examples=["heshan.admin"])]
    password: Password


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: RefreshTokenText


class TokenPair(BaseModel):
    access_token: str = Field(description="访问令牌（JWT，EdDSA 签名），放在 Authorization: Bearer 中")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (the OAuth token type, not a secret)
    expires_in: int = Field(description="访问令牌有效期（秒）")
    refresh_token: str = Field(description="刷新令牌（只能使用一次，每次刷新换发新的）")
    refresh_expires_in: int = Field(description="刷新令牌有效期（秒）")
    user: UserRead


class ClientTokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105  (the OAuth token type, not a secret)
    expires_in: int = Field(description="访问令牌有效期（秒）")
    scope: str = Field(description="授予的权限范围（空格分隔）", examples=["projects:read regions:read"])


class Me(BaseModel):
    """The caller, as every service sees them (from the access token)."""

    subject: str = Field(examples=["user:6f1c2a6e-5d1b-4c1e-9a53-0a9d3c1b7e42"])
    kind: str = Field(description="user（用户）或 client（外部系统）", examples=["user"])
    name: str
    roles: list[Role]
    role_labels: list[str]
    region_code: str | None
    project_ids: list[uuid.UUID]
    household_id: uuid.UUID | None = Field(default=None, description="居民本人所在的户")
    scopes: list[str]

    @classmethod
    def of(cls, p: Principal) -> Me:
        roles = sorted(p.roles)
        return cls(subject=p.subject, kind=p.kind, name=p.name, roles=roles,
                   role_labels=[Role(r).label for r in roles], region_code=p.region_code,
                   project_ids=sorted(p.project_ids), household_id=p.household_id, scopes=sorted(p.scopes))
