"""Every service's audit trail, for auditors: a filtered list and a chain check."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from kernel.audit.trail import AuditTrail
from kernel.auth.principal import Principal
from kernel.pagination import Page
from kernel.web.auth import Authorize
from kernel.web.deps import PageDep, SessionDep
from kernel.web.problems import problem_responses


class AuditEntryRead(BaseModel):
    id: int
    occurred_at: dt.datetime
    actor: str
    actor_name: str
    actor_roles: list[str]
    action: str
    entity_type: str
    entity_id: str
    region_code: str | None
    project_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
    client_ip: str | None
    prev_hash: str
    hash: str


class AuditPage(Page[AuditEntryRead]):
    pass


class AuditVerification(BaseModel):
    ok: bool = Field(description="整条哈希链是否完好")
    checked: int = Field(description="已核验的记录数")
    first_broken_id: int | None = Field(description="第一条不能通过核验的记录")


Auditor = Annotated[Principal, Depends(Authorize("audit.read"))]


def audit_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/api/v1/{service}/audit", tags=[f"{service}-audit"],
                       responses=problem_responses())

    @router.get("", response_model=AuditPage, summary="查询审计日志")
    async def list_audit_entries(
        request: Request, session: SessionDep, page: PageDep, principal: Auditor,
        entity_type: Annotated[str | None, Query(max_length=80)] = None,
        entity_id: Annotated[str | None, Query(max_length=80)] = None,
        actor: Annotated[str | None, Query(max_length=200)] = None,
        action: Annotated[str | None, Query(max_length=80)] = None,
        since: Annotated[dt.datetime | None, Query(description="起始时间（含）")] = None,
        until: Annotated[dt.datetime | None, Query(description="截止时间（不含）")] = None,
    ) -> AuditPage:
        trail: AuditTrail = request.app.state.records.audit
        result = await trail.page(session, principal.scope, page, entity_type=entity_type, entity_id=entity_id,
                                  actor=actor, action=action, since=since, until=until)
        return AuditPage(items=[AuditEntryRead.model_validate(r) for r in result.items],
                         next_cursor=result.next_cursor)

    @router.get("/verify", response_model=AuditVerification, summary="核验审计日志哈希链")
    async def verify_audit_chain(request: Request, session: SessionDep, principal: Auditor) -> AuditVerification:
        trail: AuditTrail = request.app.state.records.audit
        check = await trail.verify(session)
        return AuditVerification(ok=check.ok, checked=check.checked, first_broken_id=check.first_broken_id)

    return router
