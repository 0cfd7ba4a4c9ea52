"""Use cases for machine clients (OAuth 2 client credentials). A client's secret
is shown once, when it is made (or replaced); only its Argon2id hash is kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.errors import ClientIdTaken, InvalidClientSpec
from gateway.clients.models import ApiClient
from gateway.clients.repository import ClientRepository
from gateway.clients.rules import check_client_id, chosen_scopes
from gateway.database import RECORDS
from gateway.identity.rules import new_secret
from gateway.identity.service import Identity
from gateway.users.errors import RegionOutsideScope
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from kernel.regions import validate_code


@dataclass(frozen=True, slots=True)
class ClientDraft:
    client_id: str
    name: str
    scopes: list[str]
    region_code: str | None = None


def snapshot(client: ApiClient) -> dict[str, Any]:
    return {"client_id": client.client_id, "name": client.name, "scopes": sorted(client.scopes),
            "roles": sorted(client.roles), "region_code": client.region_code, "active": client.active}


async def create_client(session: AsyncSession, ident: Identity, actor: Principal,
                        draft: ClientDraft) -> tuple[ApiClient, str]:
    check_client_id(draft.client_id)
    scopes = chosen_scopes(draft.scopes)
    if draft.region_code is not None:
        try:
            validate_code(draft.region_code)
        except ValueError as exc:
            raise InvalidClientSpec(errors=[FieldError("body.region_code", "region_code_format",
                                                       "区划代码须为 12 位数字")]) from exc
        if not actor.scope.allows(draft.region_code):
            raise RegionOutsideScope(errors=[FieldError("body.region_code", "outside_scope",
                                                            "该区划不在您的管辖范围内")])
    repo = ClientRepository(session)
    if await repo.by_client_id(draft.client_id) is not None:
        raise ClientIdTaken(errors=[FieldError("body.client_id", "client_id_taken", "客户端 ID 已被使用")])
    secret = new_secret()
    client = await repo.add(ApiClient(client_id=draft.client_id, name=draft.name, scopes=scopes,
                                      roles=[Role.integration.value], region_code=draft.region_code,
                                      secret_hash=await ident.passwords.hash(secret), active=True))
    await RECORDS.record_change(session, actor, action="client.create", entity_type="client",
                                entity_id=client.client_id, region_code=client.region_code or actor.region_code,
                                after=snapshot(client))
    return client, secret


async def reset_secret(session: AsyncSession, ident: Identity, actor: Principal,
                       client_id: str) -> tuple[ApiClient, str]:
    """A new secret (the old one stops working at once); tokens already issued run out."""
    client = await ClientRepository(session).require(client_id, actor.scope)
    secret = new_secret()
    client.secret_hash = await ident.passwords.hash(secret)
    await session.flush()
    await RECORDS.record_change(session, actor, action="client.secret_reset", entity_type="client",
                                entity_id=client.client_id, region_code=client.region_code or actor.region_code,
                                after={"secret": "replaced"})
    return client, secret


async def list_clients(session: AsyncSession, actor: Principal, page: PageRequest) -> PageResult[ApiClient]:
    return await ClientRepository(session).page(actor.scope, page)
