"""Request and response schemas of the gateway's own routes (never the ORM models)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from kernel.auth.principal import CLIENT_SCOPES, ROLE_LABELS, Principal, Role
from kernel.pagination import Page
from kernel.regions import CODE_PATTERN
from kernel.web.schemas import MergePatch

RegionCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN),
                       Field(description="12 位行政区划代码（数据范围）", examples=["430903000000"])]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                        Field(description="姓名", examples=["王建国"])]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=11, max_length=20),
                  Field(description="大陆手机号（11 位；可带 +86）", examples=["13907370001"])]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]
RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=256),
                             Field(description="登录或刷新时取得的刷新令牌")]


def _known_scope(value: str) -> str:
    if value not in CLIENT_SCOPES:
        raise ValueError(f"可选权限范围：{'、'.join(sorted(CLIENT_SCOPES))}")
    return value


ClientScope = Annotated[str, AfterValidator(_known_scope),
                        WithJsonSchema({"type": "string", "enum": sorted(CLIENT_SCOPES)})]


# --- signing in ---------------------------------------------------------------------------------


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, StringConstraints(min_length=1, max_length=128),
                        Field(description="用户名（不区分大小写）", examples=["heshan.admin"])]
    password: Password


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: RefreshTokenText


class UserRead(BaseModel):
    """A user account. The phone number is always masked (``139****0001``)."""

    id: uuid.UUID
    username: str
    display_name: str
    phone: str | None = Field(description="手机号（脱敏）", examples=["139****0001"])
    roles: list[Role]
    role_labels: list[str] = Field(description="角色（中文）")
    region_code: str
    project_ids: list[uuid.UUID] = Field(description="管理员指定的项目（工作专班成员另按专班成员身份取得项目）")
    household_id: uuid.UUID | None = Field(description="居民本人所在的户")
    active: bool
    has_password: bool = Field(description="是否已设置密码（新建用户须由管理员设置初始密码）")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


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
                   role_labels=[ROLE_LABELS[r] for r in roles], region_code=p.region_code,
                   project_ids=sorted(p.project_ids), household_id=p.household_id, scopes=sorted(p.scopes))


# --- users --------------------------------------------------------------------------------------


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



class PasswordSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password = Field(description="新密码：8–128 位，至少包含大写字母、小写字母、数字、符号中的三类")


class UserPage(Page[UserRead]):
    pass


# --- clients ------------------------------------------------------------------------------------


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


# --- keys ---------------------------------------------------------------------------------------


class Jwk(BaseModel):
    kty: str = Field(examples=["OKP"])
    crv: str = Field(examples=["Ed25519"])
    x: str
    kid: str
    alg: str = Field(examples=["EdDSA"])
    use: str = Field(examples=["sig"])


class Jwks(BaseModel):
    keys: list[Jwk]


class KeyRead(BaseModel):
    kid: str
    state: Literal["current", "next", "retired"] = Field(
        description="current：正在签名；next：已公布，下次轮换后开始签名；retired：已退役")
    published: bool = Field(description="是否在 JWKS 中公布（退役后保留到其签发的令牌全部过期）")
    created_at: dt.datetime
    retired_at: dt.datetime | None


class KeyList(BaseModel):
    items: list[KeyRead]
