"""How an account leaves the gateway, shared by the slices that answer with one: the
field types of user and client accounts, and ``UserRead`` (phone masked, roles
labelled), which the users routes answer with and sign-in returns in its token pair."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from gateway.identity.service import Identity
from gateway.users.models import AppUser
from kernel.auth.roles import Role
from kernel.regions import CODE_PATTERN

RegionCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN),
                       Field(description="12 位行政区划代码（数据范围）", examples=["430903000000"])]
DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
                        Field(description="姓名", examples=["王建国"])]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


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


def user_read(ident: Identity, user: AppUser) -> UserRead:
    roles = sorted(Role(r) for r in user.roles)
    return UserRead(
        id=user.id, username=user.username, display_name=user.display_name,
        phone=ident.phone.masked(user.phone_enc), roles=roles, role_labels=[Role(r).label for r in roles],
        region_code=user.region_code, project_ids=sorted(user.project_ids), household_id=user.household_id,
        active=user.active,
        has_password=user.password_hash is not None, version=user.version, created_at=user.created_at,
        updated_at=user.updated_at,
    )
