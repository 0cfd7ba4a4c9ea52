"""Routes: parcels. Paths are absolute under ``/api/v1/projects``."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Annotated

from fastapi import Query, Request, Response, status

from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.land import service as uc
from services.projects.land.rules import ParcelAction, ParcelStatus, PlannedUse
from services.projects.land.schemas import (
    ParcelCreate,
    ParcelHistoryList,
    ParcelHistoryRead,
    ParcelPage,
    ParcelRead,
    ParcelStepBody,
    ParcelUpdate,
)
from services.projects.land.service import ParcelDraft, ParcelStep
from services.projects.permissions import ReadProjects, WriteParcels

router = api_router("/api/v1/projects", "parcels")
BASE = "/parcels"


def _factor(request: Request) -> Decimal:
    return Decimal(request.app.state.settings.square_metres_per_mu)


def _read(parcel: object, response: Response) -> ParcelRead:
    return with_etag(ParcelRead.model_validate(parcel), response)


@router.post(BASE, status_code=status.HTTP_201_CREATED, response_model=ParcelRead, summary="登记地块",
             responses=problem_responses(403, 409))
async def create_parcel(body: ParcelCreate, request: Request, session: SessionDep, response: Response,
                        actor: WriteParcels, idem: IdempotencyDep) -> ParcelRead:
    parcel = await uc.create_parcel(session, actor, ParcelDraft(**body.model_dump()), factor=_factor(request))
    return await created(ParcelRead.model_validate(parcel), response, location=f"{router.prefix}{BASE}/{parcel.id}",
                         idem=idem)


@router.get(BASE, response_model=ParcelPage, summary="查询地块列表")
async def list_parcels(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    project_id: Annotated[uuid.UUID | None, Query(description="所属项目")] = None,
    status_: Annotated[ParcelStatus | None, Query(alias="status", description="状态")] = None,
    planned_use: Annotated[PlannedUse | None, Query(description="规划用途")] = None,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="地块所在区划代码前缀")] = None,
    updated_since: Annotated[UpdatedSince, Query(description="只返回此时间之后变更的地块（增量同步）")] = None,
) -> ParcelPage:
    result = await uc.list_parcels(session, actor, page, project_id=project_id, status=status_,
                                   planned_use=planned_use, region_prefix=region_prefix, updated_since=updated_since)
    return ParcelPage(items=[ParcelRead.model_validate(p) for p in result.items], next_cursor=result.next_cursor)


@router.get(BASE + "/{parcel_id}", response_model=ParcelRead, summary="查看地块", responses=problem_responses(404))
async def get_parcel(parcel_id: uuid.UUID, session: SessionDep, response: Response,
                     actor: ReadProjects) -> ParcelRead:
    return _read(await uc.get_parcel(session, actor, parcel_id), response)


@router.patch(BASE + "/{parcel_id}", response_model=ParcelRead, summary="修改地块信息",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_parcel(parcel_id: uuid.UUID, body: ParcelUpdate, request: Request, session: SessionDep,
                        response: Response, actor: WriteParcels, if_match: IfMatch = None) -> ParcelRead:
    expected = expected_version(if_match)
    parcel = await uc.update_parcel(session, actor, parcel_id, body.changes(), expected, factor=_factor(request))
    return _read(parcel, response)


@router.post(BASE + "/{parcel_id}/steps", response_model=ParcelRead,
             summary="地块状态变更（交地、挂牌、流拍/撤牌、成交）",
             description="不能跳步、不能回退（挂牌后流拍或撤牌回到已交地除外）；须携带 If-Match。"
                         "成交时同一事务内发布土地出让收入事件 projects.parcel.sold。",
             responses=problem_responses(403, 404, 409, 412, 428))
async def step_parcel(parcel_id: uuid.UUID, body: ParcelStepBody, session: SessionDep, response: Response,
                      actor: WriteParcels, if_match: IfMatch = None) -> ParcelRead:
    expected = expected_version(if_match)
    values = body.model_dump(exclude={"action"})
    step = ParcelStep(action=ParcelAction(body.action), **values)
    parcel = await uc.step_parcel(session, actor, parcel_id, step, expected)
    return _read(parcel, response)


@router.get(BASE + "/{parcel_id}/history", response_model=ParcelHistoryList, summary="地块变更历史",
            responses=problem_responses(404))
async def parcel_history(parcel_id: uuid.UUID, session: SessionDep, actor: ReadProjects) -> ParcelHistoryList:
    entries = await uc.parcel_history(session, actor, parcel_id)
    return ParcelHistoryList(items=[ParcelHistoryRead.model_validate(e) for e in entries])
