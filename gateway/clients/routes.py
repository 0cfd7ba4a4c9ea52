"""Routes: machine clients (OAuth 2 client credentials). The secret is shown once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path, Response, status

from gateway.clients import service as uc
from gateway.clients.rules import CLIENT_ID_PATTERN
from gateway.clients.schemas import ClientCreate, ClientCreated, ClientPage, ClientRead
from gateway.clients.service import ClientDraft
from gateway.permissions import IdentityDep, WriteClients
from kernel.web.deps import PageDep, SessionDep, api_router
from kernel.web.problems import problem_responses

router = api_router("/api/v1/auth/clients", "clients")


def _created(client: Any, secret: str, response: Response) -> ClientCreated:
    response.headers["Cache-Control"] = "no-store"
    return ClientCreated.model_validate({**ClientRead.model_validate(client).model_dump(), "client_secret": secret})


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ClientCreated, summary="登记外部系统客户端",
             description="返回的 client_secret 只显示这一次（只保存其哈希）。客户端 ID 唯一：重复提交返回 409。",
             responses=problem_responses(403, 409))
async def create_client(body: ClientCreate, session: SessionDep, ident: IdentityDep, response: Response,
                        actor: WriteClients) -> ClientCreated:
    client, secret = await uc.create_client(session, ident, actor, ClientDraft(
        client_id=body.client_id, name=body.name, scopes=list(body.scopes), region_code=body.region_code))
    return _created(client, secret, response)


@router.get("", response_model=ClientPage, summary="查询外部系统客户端列表")
async def list_clients(session: SessionDep, page: PageDep, actor: WriteClients) -> ClientPage:
    result = await uc.list_clients(session, actor, page)
    return ClientPage(items=[ClientRead.model_validate(c) for c in result.items], next_cursor=result.next_cursor)


@router.post("/{client_id}/secret", response_model=ClientCreated, summary="重置客户端密钥",
             description="旧密钥立即失效（已签发的访问令牌到期前仍有效）；新密钥只显示这一次。",
             responses=problem_responses(403, 404))
async def reset_client_secret(client_id: Annotated[str, Path(pattern=CLIENT_ID_PATTERN)], session: SessionDep,
                              ident: IdentityDep, response: Response, actor: WriteClients) -> ClientCreated:
    client, secret = await uc.reset_secret(session, ident, actor, client_id)
    return _created(client, secret, response)
