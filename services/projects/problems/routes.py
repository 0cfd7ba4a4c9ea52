"""Routes: the problem ledger (问题清单): register (挂号), progress notes, changes, close (销号) with
evidence, reopen, history, and the 10-day coordination agenda (旬协调). Paths are absolute under
``/api/v1/projects``; the problems' documents are ``documents.routes``' (same tag)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response, status

from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.pagination import PageResult
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.documents.uploads import BufferedUpload
from services.projects.permissions import ReadProjects, WriteProblems
from services.projects.problems import service as uc
from services.projects.problems.schemas import (
    EvidenceList,
    EvidenceRead,
    ProblemClose,
    ProblemCreate,
    ProblemEventRead,
    ProblemHistory,
    ProblemNote,
    ProblemPage,
    ProblemRead,
    ProblemReopen,
    ProblemUpdate,
)
from services.projects.problems.vocabulary import ProblemCategory, ProblemStatus

router = api_router("/api/v1/projects", "problems")
# As before the documents moved out: a multipart POST over the document limit is refused (413) before
# anything parses it, on these routes too.
router.route_class = BufferedUpload

_OVERDUE = Query(description="true：只看逾期（已过清零时限且未销号）；false：只看未逾期")
_DUE_WITHIN = Query(ge=0, le=366, description="只看未销号且已逾期或在该天数内到期的问题（旬协调议题，常用 10）")
_UPDATED_SINCE = Query(description="只返回此时间之后变更的问题（增量同步），按变更时间排序")
_AGENDA_DAYS = 10


def _read(problem: object, response: Response) -> ProblemRead:
    return with_etag(ProblemRead.model_validate(problem), response)


def _page(result: PageResult[Any]) -> ProblemPage:
    return ProblemPage(items=[ProblemRead.model_validate(p) for p in result.items], next_cursor=result.next_cursor)


@router.post("/projects/{project_id}/problems", status_code=status.HTTP_201_CREATED, response_model=ProblemRead,
             summary="问题挂号", responses=problem_responses(403, 404, 409))
async def register_problem(project_id: uuid.UUID, body: ProblemCreate, session: SessionDep, response: Response,
                           actor: WriteProblems, idem: IdempotencyDep) -> ProblemRead:
    problem = await uc.register_problem(session, actor, uc.ProblemDraft(project_id=project_id, **body.model_dump()))
    return await created(ProblemRead.model_validate(problem), response,
                         location=f"{router.prefix}/problems/{problem.id}", idem=idem)


@router.get("/projects/{project_id}/problems", response_model=ProblemPage, summary="项目问题清单",
            responses=problem_responses(404))
async def list_project_problems(
    project_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    status_: Annotated[ProblemStatus | None, Query(alias="status", description="状态")] = None,
    category: Annotated[ProblemCategory | None, Query(description="问题类别")] = None,
    overdue: Annotated[bool | None, _OVERDUE] = None,
    due_within_days: Annotated[int | None, _DUE_WITHIN] = None,
    updated_since: Annotated[UpdatedSince, _UPDATED_SINCE] = None,
) -> ProblemPage:
    return _page(await uc.list_problems(session, actor, page, project_id=project_id, status=status_,
                                        category=category, overdue=overdue, due_within_days=due_within_days,
                                        updated_since=updated_since))


@router.get("/problems", response_model=ProblemPage, summary="问题清单（管辖范围内所有项目）")
async def list_problems(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="项目所在行政区划代码前缀")] = None,
    status_: Annotated[ProblemStatus | None, Query(alias="status", description="状态")] = None,
    category: Annotated[ProblemCategory | None, Query(description="问题类别")] = None,
    overdue: Annotated[bool | None, _OVERDUE] = None,
    due_within_days: Annotated[int | None, _DUE_WITHIN] = None,
    updated_since: Annotated[UpdatedSince, _UPDATED_SINCE] = None,
) -> ProblemPage:
    return _page(await uc.list_problems(session, actor, page, region_prefix=region_prefix, status=status_,
                                        category=category, overdue=overdue, due_within_days=due_within_days,
                                        updated_since=updated_since))


@router.get("/problems/agenda", response_model=ProblemPage, summary="旬协调议题：已逾期或临近清零时限的未销号问题",
            responses=problem_responses(404))
async def coordination_agenda(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    days: Annotated[int, Query(ge=0, le=366, description="临近的天数（默认 10）")] = _AGENDA_DAYS,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="项目所在行政区划代码前缀")] = None,
    project_id: Annotated[uuid.UUID | None, Query(description="只看某个项目")] = None,
) -> ProblemPage:
    return _page(await uc.list_problems(session, actor, page, project_id=project_id, region_prefix=region_prefix,
                                        due_within_days=days))


@router.get("/problems/{problem_id}", response_model=ProblemRead, summary="查看问题", responses=problem_responses(404))
async def get_problem(problem_id: uuid.UUID, session: SessionDep, response: Response,
                      actor: ReadProjects) -> ProblemRead:
    return _read(await uc.get_problem(session, actor, problem_id), response)


@router.patch("/problems/{problem_id}", response_model=ProblemRead, summary="修改问题（未销号时）",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_problem(problem_id: uuid.UUID, body: ProblemUpdate, session: SessionDep, response: Response,
                         actor: WriteProblems, if_match: IfMatch = None) -> ProblemRead:
    expected = expected_version(if_match)
    return _read(await uc.update_problem(session, actor, problem_id, body.changes(), expected), response)


@router.post("/problems/{problem_id}/progress", status_code=status.HTTP_201_CREATED, response_model=ProblemEventRead,
             summary="记录问题进展", responses=problem_responses(403, 404, 409))
async def add_progress(problem_id: uuid.UUID, body: ProblemNote, session: SessionDep, response: Response,
                       actor: WriteProblems, idem: IdempotencyDep) -> ProblemEventRead:
    event = await uc.add_problem_progress(session, actor, problem_id, body.note, body.id)
    read = ProblemEventRead.model_validate(event)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.post("/problems/{problem_id}/close", response_model=ProblemRead, summary="问题销号（须有销号说明和佐证）",
             responses=problem_responses(403, 404, 409, 412, 428))
async def close_problem(problem_id: uuid.UUID, body: ProblemClose, session: SessionDep, response: Response,
                        actor: WriteProblems, if_match: IfMatch = None) -> ProblemRead:
    expected = expected_version(if_match)
    draft = uc.ClosureDraft(note=body.note, closed_on=body.closed_on, evidence=tuple(
        uc.EvidenceDraft(document_id=e.document_id, reference=e.reference) for e in body.evidence))
    return _read(await uc.close_problem(session, actor, problem_id, draft, expected), response)


@router.post("/problems/{problem_id}/reopen", response_model=ProblemRead, summary="重新打开已销号的问题",
             responses=problem_responses(403, 404, 409, 412, 428))
async def reopen_problem(problem_id: uuid.UUID, body: ProblemReopen, session: SessionDep, response: Response,
                         actor: WriteProblems, if_match: IfMatch = None) -> ProblemRead:
    expected = expected_version(if_match)
    problem = await uc.reopen_problem(session, actor, problem_id, body.reason, expected, deadline=body.deadline)
    return _read(problem, response)


@router.get("/problems/{problem_id}/history", response_model=ProblemHistory, summary="问题状态与进展记录",
            responses=problem_responses(404))
async def problem_history(problem_id: uuid.UUID, session: SessionDep, actor: ReadProjects) -> ProblemHistory:
    events = await uc.problem_history(session, actor, problem_id)
    return ProblemHistory(items=[ProblemEventRead.model_validate(e) for e in events])


@router.get("/problems/{problem_id}/evidence", response_model=EvidenceList, summary="销号佐证材料",
            responses=problem_responses(404))
async def problem_evidence(problem_id: uuid.UUID, session: SessionDep, actor: ReadProjects) -> EvidenceList:
    items = await uc.problem_evidence(session, actor, problem_id)
    return EvidenceList(items=[EvidenceRead.model_validate(e) for e in items])


