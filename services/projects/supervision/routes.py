"""Routes: supervision items (督办) assigned at meetings (日调度, 周通报, 旬协调) or opened for overdue
problems; progress reports, closure with a result, and the published result list (督办结果通报).
Paths are absolute under ``/api/v1/projects/supervision``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import Query, Response, status

from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.permissions import ManageSupervision, ReadProjects, ReportSupervision
from services.projects.supervision import service as uc
from services.projects.supervision.schemas import (
    SupervisionClose,
    SupervisionCreate,
    SupervisionPage,
    SupervisionRead,
    SupervisionReportCreate,
    SupervisionReportList,
    SupervisionReportRead,
    SupervisionUpdate,
)
from services.projects.supervision.vocabulary import SupervisionSource, SupervisionStatus

router = api_router("/api/v1/projects/supervision", "supervision")


def _read(item: object, response: Response) -> SupervisionRead:
    return with_etag(SupervisionRead.model_validate(item), response)


@router.post("/items", status_code=status.HTTP_201_CREATED, response_model=SupervisionRead,
             summary="交办督办事项（日调度、周通报、旬协调）", responses=problem_responses(403, 404, 409))
async def open_item(body: SupervisionCreate, session: SessionDep, response: Response, actor: ManageSupervision,
                    idem: IdempotencyDep) -> SupervisionRead:
    item = await uc.open_supervision_item(session, actor, uc.SupervisionDraft(**body.model_dump()))
    return await created(SupervisionRead.model_validate(item), response, location=f"{router.prefix}/items/{item.id}",
                         idem=idem)


@router.get("/items", response_model=SupervisionPage, summary="督办事项列表", responses=problem_responses(404))
async def list_items(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    project_id: Annotated[uuid.UUID | None, Query(description="只看某个项目")] = None,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="项目所在行政区划代码前缀")] = None,
    status_: Annotated[SupervisionStatus | None, Query(alias="status", description="状态")] = None,
    source: Annotated[SupervisionSource | None, Query(description="来源会议")] = None,
    overdue: Annotated[bool | None, Query(description="true：只看超过办理时限仍未办结的")] = None,
    problem_id: Annotated[uuid.UUID | None, Query(description="由该问题逾期转来的督办")] = None,
    updated_since: Annotated[UpdatedSince, Query(description="只返回此时间之后变更的（增量同步）")] = None,
) -> SupervisionPage:
    result = await uc.list_supervision_items(session, actor, page, project_id=project_id, region_prefix=region_prefix,
                                             status=status_, source=source, overdue=overdue, problem_id=problem_id,
                                             updated_since=updated_since)
    return SupervisionPage(items=[SupervisionRead.model_validate(i) for i in result.items],
                           next_cursor=result.next_cursor)


@router.get("/results", response_model=SupervisionPage, summary="督办结果通报：期间内办结的事项及其结果")
async def results(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    from_: Annotated[dt.date | None, Query(alias="from", description="办结日期起（含）")] = None,
    to: Annotated[dt.date | None, Query(description="办结日期止（含）")] = None,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="项目所在行政区划代码前缀")] = None,
    source: Annotated[SupervisionSource | None, Query(description="来源会议")] = None,
) -> SupervisionPage:
    result = await uc.list_supervision_results(session, actor, page, since=from_, until=to,
                                               region_prefix=region_prefix, source=source)
    return SupervisionPage(items=[SupervisionRead.model_validate(i) for i in result.items],
                           next_cursor=result.next_cursor)


@router.get("/items/{item_id}", response_model=SupervisionRead, summary="查看督办事项",
            responses=problem_responses(404))
async def get_item(item_id: uuid.UUID, session: SessionDep, response: Response,
                   actor: ReadProjects) -> SupervisionRead:
    return _read(await uc.get_supervision_item(session, actor, item_id), response)


@router.patch("/items/{item_id}", response_model=SupervisionRead, summary="修改督办事项（办结前）",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_item(item_id: uuid.UUID, body: SupervisionUpdate, session: SessionDep, response: Response,
                      actor: ManageSupervision, if_match: IfMatch = None) -> SupervisionRead:
    expected = expected_version(if_match)
    return _read(await uc.update_supervision_item(session, actor, item_id, body.changes(), expected), response)


@router.post("/items/{item_id}/reports", status_code=status.HTTP_201_CREATED, response_model=SupervisionReportRead,
             summary="报告督办事项办理进展", responses=problem_responses(403, 404, 409))
async def report(item_id: uuid.UUID, body: SupervisionReportCreate, session: SessionDep, response: Response,
                 actor: ReportSupervision, idem: IdempotencyDep) -> SupervisionReportRead:
    created = await uc.report_supervision_progress(session, actor, item_id, uc.ReportDraft(
        note=body.note, progress=body.progress, id=body.id))
    read = SupervisionReportRead.model_validate(created)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.get("/items/{item_id}/reports", response_model=SupervisionReportList, summary="督办事项办理进展",
            responses=problem_responses(404))
async def list_reports(item_id: uuid.UUID, session: SessionDep, actor: ReadProjects) -> SupervisionReportList:
    reports = await uc.list_supervision_reports(session, actor, item_id)
    return SupervisionReportList(items=[SupervisionReportRead.model_validate(r) for r in reports])


@router.post("/items/{item_id}/close", response_model=SupervisionRead, summary="督办事项办结（须填写办理结果）",
             responses=problem_responses(403, 404, 409, 412, 428))
async def close_item(item_id: uuid.UUID, body: SupervisionClose, session: SessionDep, response: Response,
                     actor: ManageSupervision, if_match: IfMatch = None) -> SupervisionRead:
    expected = expected_version(if_match)
    item = await uc.close_supervision_item(session, actor, item_id, body.result, expected, closed_on=body.closed_on)
    return _read(item, response)
