"""Routes: user accounts (administrators), with masked phones and audited reveals."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from gateway.accounts import UserRead, user_read
from gateway.permissions import IdentityDep, ReadUsers, RevealPii, WriteUsers
from gateway.users import service as uc
from gateway.users.schemas import PasswordSet, UserCreate, UserPage, UserUpdate
from gateway.users.service import HouseholdRebind, UserDraft
from kernel.auth.roles import Role
from kernel.concurrency import expected_version, unconditional
from kernel.idempotency.web import IdempotencyDep
from kernel.pii.reveal import Revealed, RevealRequest
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag

router = api_router("/api/v1/auth/users", "users")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserRead, summary="新建用户",
             description="新用户没有密码：须由管理员通过“设置密码”设置初始密码后才能登录。"
                         "所填行政区划须在调用者的管辖范围内。",
             responses=problem_responses(403, 409))
async def create_user(body: UserCreate, session: SessionDep, ident: IdentityDep, response: Response,
                      actor: WriteUsers, idem: IdempotencyDep) -> UserRead:
    user = await uc.create_user(session, ident, actor, UserDraft(
        username=body.username, display_name=body.display_name, roles=body.roles, region_code=body.region_code,
        phone=body.phone, project_ids=body.project_ids, household_id=body.household_id, id=body.id,
        rebind_household=body.rebind_household, rebind_reason=body.rebind_reason))
    return await created(user_read(ident, user), response, location=f"{router.prefix}/{user.id}", idem=idem)


@router.get("", response_model=UserPage, summary="查询用户列表",
            description="只列出调用者管辖范围内的用户；手机号一律脱敏。",
            responses=problem_responses(403))
async def list_users(
    session: SessionDep,
    ident: IdentityDep,
    page: PageDep,
    actor: ReadUsers,
    response: Response,
    role: Annotated[Role | None, Query(description="角色")] = None,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="行政区划代码前缀")] = None,
    active: Annotated[bool | None, Query(description="是否启用")] = None,
    phone: Annotated[str | None, Query(min_length=11, max_length=20,
                                       description="按完整手机号查找：视同查看完整号码，须有 pii.reveal 权限并填写"
                                                   " purpose，记入审计（只记脱敏号码）")] = None,
    purpose: Annotated[str | None, Query(min_length=2, max_length=200,
                                         description="按手机号查找的事由（写入审计日志）")] = None,
) -> UserPage:
    result = await uc.list_users(session, ident, actor, page, role=role, region_prefix=region_prefix,
                                 active=active, phone=phone, purpose=purpose.strip() if purpose else None)
    if phone is not None:
        response.headers["Cache-Control"] = "no-store"
    return UserPage(items=[user_read(ident, u) for u in result.items], next_cursor=result.next_cursor)


@router.get("/{user_id}", response_model=UserRead, summary="查看用户", responses=problem_responses(404))
async def get_user(user_id: uuid.UUID, session: SessionDep, ident: IdentityDep, response: Response,
                   actor: ReadUsers) -> UserRead:
    return with_etag(user_read(ident, await uc.get_user(session, actor, user_id)), response)


@router.patch("/{user_id}", response_model=UserRead, summary="修改用户",
              description="停用（active=false）后该用户的全部登录立即失效。",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_user(user_id: uuid.UUID, body: UserUpdate, session: SessionDep, ident: IdentityDep,
                      response: Response, actor: WriteUsers, if_match: IfMatch = None) -> UserRead:
    expected = expected_version(if_match)
    user = await uc.update_user(session, ident, actor, user_id, body.changes(), expected,
                                HouseholdRebind(body.rebind_household, body.rebind_reason),
                                unconditional=unconditional(if_match))
    return with_etag(user_read(ident, user), response)


@router.put("/{user_id}/password", response_model=UserRead, summary="设置密码（初始密码或重置）",
            description="设置后该用户的全部登录立即失效。审计日志只记录“已设置”，不记录密码。",
            responses=problem_responses(404, 412, 428))
async def set_password(user_id: uuid.UUID, body: PasswordSet, session: SessionDep, ident: IdentityDep,
                       response: Response, actor: WriteUsers, if_match: IfMatch = None) -> UserRead:
    expected = expected_version(if_match)
    user = await uc.set_password(session, ident, actor, user_id, body.password, expected,
                                 unconditional=unconditional(if_match))
    return with_etag(user_read(ident, user), response)


@router.post("/{user_id}/reveal", response_model=Revealed, summary="查看完整手机号（须说明事由，记入审计）",
             responses=problem_responses(404))
async def reveal_user_pii(user_id: uuid.UUID, body: RevealRequest, session: SessionDep, ident: IdentityDep,
                          response: Response, actor: RevealPii) -> Revealed:
    response.headers["Cache-Control"] = "no-store"
    values = await uc.reveal(session, ident, actor, user_id, body.purpose, body.fields)
    return Revealed(id=user_id, **values)
