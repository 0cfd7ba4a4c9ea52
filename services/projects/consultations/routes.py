"""Routes: consultations. Paths are absolute under ``/api/v1/projects``."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response, status

from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.consultations import service as uc
from services.projects.consultations.rules import ConsultationKind
from services.projects.consultations.schemas import (
    ConsultationCreate,
    ConsultationPage,
    ConsultationRead,
    ConsultationUpdate,
    HouseholdImport,
    HouseholdPage,
    HouseholdRead,
    ImportResult,
    ResultsRead,
    StatusField,
    VoteBody,
    VoteRead,
    mask_name,
)
from services.projects.consultations.service import (
    ConsultationDraft,
    HouseholdEntry,
    OptionDraft,
    Overview,
    VoteRequest,
)
from services.projects.permissions import ManageConsultations, ReadConsultations, VoteConsultations

router = api_router("/api/v1/projects", "consultations")
BASE = "/consultations"
ONE = BASE + "/{consultation_id}"


def _read(overview: Overview, response: Response) -> ConsultationRead:
    return with_etag(ConsultationRead.of(overview), response)


def _options(items: list[Any] | None) -> list[OptionDraft] | None:
    if items is None:
        return None
    return [OptionDraft(o.label, o.supportive, o.score) for o in items]


@router.post(BASE, status_code=status.HTTP_201_CREATED, response_model=ConsultationRead, summary="创建征询（草稿）",
             responses=problem_responses(403, 409))
async def create_consultation(body: ConsultationCreate, session: SessionDep, response: Response,
                              actor: ManageConsultations, idem: IdempotencyDep) -> ConsultationRead:
    draft = ConsultationDraft(
        project_id=body.project_id, kind=body.kind, title=body.title, question=body.question, opens_at=body.opens_at,
        closes_at=body.closes_at, options=_options(body.options), support_required=body.support_required,
        threshold_base=body.threshold_base, participation_required=body.participation_required,
        participation_given="participation_required" in body.model_fields_set, id=body.id)
    overview = await uc.create_consultation(session, actor, draft)
    return await created(ConsultationRead.of(overview), response,
                         location=f"{router.prefix}{BASE}/{overview.consultation.id}", idem=idem)


@router.get(BASE, response_model=ConsultationPage, summary="查询征询列表",
            description="工作人员看到管辖范围内项目的征询；居民只看到本户在参与名单内的征询（不含草稿），并附本户投票。")
async def list_consultations(
    session: SessionDep,
    page: PageDep,
    actor: ReadConsultations,
    project_id: Annotated[uuid.UUID | None, Query(description="所属项目")] = None,
    kind: Annotated[ConsultationKind | None, Query(description="类型")] = None,
    status_: Annotated[StatusField | None, Query(alias="status", description="状态")] = None,
    updated_since: Annotated[UpdatedSince, Query(description="只返回此时间之后变更的征询（增量同步）")] = None,
) -> ConsultationPage:
    items, cursor = await uc.list_consultations(session, actor, page, project_id=project_id, kind=kind,
                                                status=status_, updated_since=updated_since)
    return ConsultationPage(items=[ConsultationRead.of(o) for o in items], next_cursor=cursor)


@router.get(ONE, response_model=ConsultationRead, summary="查看征询", responses=problem_responses(404))
async def get_consultation(consultation_id: uuid.UUID, session: SessionDep, response: Response,
                           actor: ReadConsultations) -> ConsultationRead:
    return _read(await uc.get_consultation(session, actor, consultation_id), response)


@router.patch(ONE, response_model=ConsultationRead, summary="修改征询（仅草稿）",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_consultation(consultation_id: uuid.UUID, body: ConsultationUpdate, session: SessionDep,
                              response: Response, actor: ManageConsultations,
                              if_match: IfMatch = None) -> ConsultationRead:
    expected = expected_version(if_match)
    changes = body.changes()
    if "options" in changes:
        changes["options"] = _options(changes["options"])
    return _read(await uc.update_consultation(session, actor, consultation_id, changes, expected), response)


@router.post(ONE + "/open", response_model=ConsultationRead, summary="发布征询（开始接受投票）",
             responses=problem_responses(403, 404, 409, 412, 428))
async def open_consultation(consultation_id: uuid.UUID, session: SessionDep, response: Response,
                            actor: ManageConsultations, if_match: IfMatch = None) -> ConsultationRead:
    expected = expected_version(if_match)
    return _read(await uc.open_consultation(session, actor, consultation_id, expected), response)


@router.post(ONE + "/close", response_model=ConsultationRead, summary="结束征询（固定结果）",
             description="结束后结果固定，并发布 projects.consultation.closed 事件。",
             responses=problem_responses(403, 404, 409, 412, 428))
async def close_consultation(consultation_id: uuid.UUID, session: SessionDep, response: Response,
                             actor: ManageConsultations, if_match: IfMatch = None) -> ConsultationRead:
    expected = expected_version(if_match)
    return _read(await uc.close_consultation(session, actor, consultation_id, expected), response)


@router.post(ONE + "/households", response_model=ImportResult, status_code=status.HTTP_201_CREATED,
             summary="导入参与户名单（仅草稿）", responses=problem_responses(403, 404, 409))
async def import_households(consultation_id: uuid.UUID, body: HouseholdImport, session: SessionDep,
                            response: Response, actor: ManageConsultations, idem: IdempotencyDep) -> ImportResult:
    entries = [HouseholdEntry(h.household_id, h.head_name, h.address, h.region_code) for h in body.households]
    result = ImportResult(**await uc.import_households(session, actor, consultation_id, entries))
    await idem.save(response, result, status.HTTP_201_CREATED)
    return result


@router.get(ONE + "/households", response_model=HouseholdPage, summary="参与户名单（姓名脱敏）及投票情况",
            responses=problem_responses(403, 404))
async def list_households(consultation_id: uuid.UUID, session: SessionDep, page: PageDep,
                          actor: ReadConsultations) -> HouseholdPage:
    result, ballots = await uc.list_households(session, actor, consultation_id, page)
    items = []
    for h in result.items:
        b = ballots.get(h.household_id)
        items.append(HouseholdRead(
            household_id=h.household_id, head_name=mask_name(h.head_name), address=h.address,
            region_code=h.region_code, source=h.source, voted=b is not None, choices=list(b.choices) if b else [],
            channel=b.channel if b else None, cast_at=b.cast_at if b else None))
    return HouseholdPage(items=items, next_cursor=result.next_cursor)


@router.put(ONE + "/votes/{household_id}", response_model=VoteRead, summary="投票或改票",
            description="每户一票，截止前可改票（改票须携带选票的 ETag 作为 If-Match）。居民通过 App 为本户投票；"
                        "入户（field）和纸质表决票（paper，须填表决票编号）由工作人员录入。",
            responses={**problem_responses(403, 404, 409, 412, 428),
                       201: {"model": VoteRead, "description": "首次投票"}})
async def cast_vote(consultation_id: uuid.UUID, household_id: uuid.UUID, body: VoteBody, session: SessionDep,
                    response: Response, actor: VoteConsultations, if_match: IfMatch = None) -> VoteRead:
    ballot, first = await uc.cast_vote(session, actor, consultation_id, household_id,
                                       VoteRequest(body.choices, body.channel, body.paper_form_no), if_match)
    if first:
        response.status_code = status.HTTP_201_CREATED
    return with_etag(VoteRead.of(ballot), response)


@router.get(ONE + "/votes/{household_id}", response_model=VoteRead, summary="查看一户的投票及改票记录",
            responses=problem_responses(403, 404))
async def get_vote(consultation_id: uuid.UUID, household_id: uuid.UUID, session: SessionDep, response: Response,
                   actor: ReadConsultations) -> VoteRead:
    ballot, history = await uc.get_vote(session, actor, consultation_id, household_id)
    return with_etag(VoteRead.of(ballot, list(history)), response)


@router.get(ONE + "/results", response_model=ResultsRead, summary="征询结果（进行中实时计算，结束后固定）",
            responses=problem_responses(404, 409))
async def results(consultation_id: uuid.UUID, session: SessionDep, actor: ReadConsultations) -> ResultsRead:
    return ResultsRead.model_validate(await uc.results(session, actor, consultation_id))
