"""Routes: the published signing keys (JWKS, read by every service) and rotation, in one
router (``router``) for the app."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Request
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.service import Identity
from gateway.keys import service as uc
from gateway.keys.schemas import Jwks, KeyList, KeyRead
from gateway.keys.verifier import GatewayVerifier
from gateway.permissions import IdentityDep, ManageKeys
from kernel.web.deps import SessionDep, SystemSessionDep, api_router
from kernel.web.problems import problem_responses

keys_router = api_router("/api/v1/auth/keys", "keys")
jwks_router = APIRouter(tags=["keys"], responses=problem_responses())


@jwks_router.get("/.well-known/jwks.json", response_model=Jwks, summary="令牌验签公钥（JWKS）",
                 description="当前签名密钥、下一把密钥（预先公布），以及退役后其签发的令牌仍可能有效的密钥。"
                             "各服务遇到未知 kid 时重新获取。")
async def get_jwks(session: SystemSessionDep, ident: IdentityDep) -> Jwks:
    return Jwks.model_validate(await ident.keys.jwks(session))


async def _list(session: AsyncSession, ident: Identity) -> KeyList:
    return KeyList(items=[KeyRead.model_validate(k, from_attributes=True)
                          for k in await ident.keys.describe(session)])


@keys_router.get("", response_model=KeyList, summary="查看签名密钥")
async def list_keys(session: SessionDep, ident: IdentityDep, actor: ManageKeys) -> KeyList:
    return await _list(session, ident)


@keys_router.post("/rotate", response_model=KeyList, summary="轮换签名密钥",
             description="预先公布的下一把密钥立即开始签名，并生成新的下一把密钥；旧密钥退役但继续公布，"
                         "直到其签发的令牌全部过期。各服务早已取得新密钥的公钥，因此无需停机。")
async def rotate_keys(request: Request, session: SessionDep, ident: IdentityDep, actor: ManageKeys,
                      tasks: BackgroundTasks) -> KeyList:
    await uc.rotate(session, ident.keys, actor)
    verifier = request.app.state.verifier
    if isinstance(verifier, GatewayVerifier):
        tasks.add_task(verifier.reload)  # after the commit: the gateway's own routes know the new key at once
    return await _list(session, ident)


#: The public JWKS first, then the managed keys.
router = APIRouter()
router.include_router(jwks_router)
router.include_router(keys_router)
