"""Routes: tasks (任务清单), approvals, progress reports, and backward-scheduled plans (倒排工期). Paths
are absolute under ``/api/v1/projects``; the tasks' documents are ``documents.routes``' (same tag)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Query, Response, status

from kernel import calendar
from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.documents.uploads import BufferedUpload
from services.projects.permissions import ReadProjects, WriteTasks
from services.projects.tasks import service as uc
from services.projects.tasks.schemas import (
    TASK_ROWS,
    PlannedTaskRead,
    ProgressCreate,
    ProgressPage,
    ProgressRead,
    TaskCreate,
    TaskPage,
    TaskPlanCreate,
    TaskPlanRead,
    TaskRead,
    TaskUpdate,
    task_derived,
)
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

router = api_router("/api/v1/projects", "tasks")
# As before the documents moved out: a multipart POST over the document limit is refused (413) before
# anything parses it, on these routes too.
router.route_class = BufferedUpload

_OVERDUE = Query(description="true：只看逾期（计划完成日期已过且未完成）；false：只看未逾期")
_UPDATED_SINCE = Query(description="只返回此时间之后变更的任务（增量同步），按变更时间排序")


def _task_page(rows: Sequence[Any], next_cursor: str | None) -> Response:
    today = calendar.today()
    return TASK_ROWS.page(rows, next_cursor, derive=lambda values: task_derived(values, today))


def _read(task: object, response: Response) -> TaskRead:
    return with_etag(TaskRead.model_validate(task), response)


@router.post("/projects/{project_id}/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskRead,
             summary="新增任务（含审批事项）", responses=problem_responses(403, 404, 409))
async def create_task(project_id: uuid.UUID, body: TaskCreate, session: SessionDep, response: Response,
                      actor: WriteTasks, idem: IdempotencyDep) -> TaskRead:
    values = body.model_dump()
    values["depends_on"] = tuple(values["depends_on"])
    task = await uc.create_task(session, actor, uc.TaskDraft(project_id=project_id, **values))
    return await created(TaskRead.model_validate(task), response, location=f"{router.prefix}/tasks/{task.id}",
                         idem=idem)


@router.get("/projects/{project_id}/tasks", response_model=TaskPage, summary="项目任务清单",
            responses=problem_responses(404))
async def list_project_tasks(
    project_id: uuid.UUID,
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    overdue: Annotated[bool | None, _OVERDUE] = None,
    status_: Annotated[TaskStatus | None, Query(alias="status", description="状态")] = None,
    kind: Annotated[TaskKind | None, Query(description="任务类型")] = None,
    approvals: Annotated[bool, Query(description="true：只看审批事项")] = False,
    due_before: Annotated[dt.date | None, Query(description="计划完成日期早于该日")] = None,
    updated_since: Annotated[UpdatedSince, _UPDATED_SINCE] = None,
) -> Response:
    result = await uc.list_tasks(session, actor, page, project_id=project_id, status=status_, kind=kind,
                                 approvals_only=approvals, overdue=overdue, due_before=due_before,
                                 updated_since=updated_since)
    return _task_page(result.items, result.next_cursor)


@router.get("/tasks", response_model=TaskPage, summary="任务列表（管辖范围内所有项目）")
async def list_tasks(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    overdue: Annotated[bool | None, _OVERDUE] = None,
    status_: Annotated[TaskStatus | None, Query(alias="status", description="状态")] = None,
    kind: Annotated[TaskKind | None, Query(description="任务类型")] = None,
    approvals: Annotated[bool, Query(description="true：只看审批事项")] = False,
    due_before: Annotated[dt.date | None, Query(description="计划完成日期早于该日")] = None,
    updated_since: Annotated[UpdatedSince, _UPDATED_SINCE] = None,
) -> Response:
    result = await uc.list_tasks(session, actor, page, status=status_, kind=kind, approvals_only=approvals,
                                 overdue=overdue, due_before=due_before, updated_since=updated_since)
    return _task_page(result.items, result.next_cursor)


@router.get("/tasks/{task_id}", response_model=TaskRead, summary="查看任务", responses=problem_responses(404))
async def get_task(task_id: uuid.UUID, session: SessionDep, response: Response, actor: ReadProjects) -> TaskRead:
    return _read(await uc.get_task(session, actor, task_id), response)


@router.patch("/tasks/{task_id}", response_model=TaskRead, summary="修改任务",
              responses=problem_responses(403, 404, 412, 428))
async def update_task(task_id: uuid.UUID, body: TaskUpdate, session: SessionDep, response: Response,
                      actor: WriteTasks, if_match: IfMatch = None) -> TaskRead:
    expected = expected_version(if_match)
    return _read(await uc.update_task(session, actor, task_id, body.changes(), expected), response)


@router.post("/tasks/{task_id}/progress", status_code=status.HTTP_201_CREATED, response_model=ProgressRead,
             summary="报告任务进度", responses=problem_responses(403, 404, 409))
async def report_progress(task_id: uuid.UUID, body: ProgressCreate, session: SessionDep, response: Response,
                          actor: WriteTasks, idem: IdempotencyDep) -> ProgressRead:
    report = await uc.report_task_progress(session, actor, task_id, uc.ProgressDraft(
        progress=body.progress, note=body.note, status=body.status, id=body.id))
    read = ProgressRead.model_validate(report)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.get("/tasks/{task_id}/progress", response_model=ProgressPage, summary="任务进度报告",
            responses=problem_responses(404))
async def list_progress(task_id: uuid.UUID, session: SessionDep, page: PageDep,
                        actor: ReadProjects) -> ProgressPage:
    result = await uc.list_task_progress(session, actor, task_id, page)
    return ProgressPage(items=[ProgressRead.model_validate(r) for r in result.items], next_cursor=result.next_cursor)


@router.post("/projects/{project_id}/task-plans", status_code=status.HTTP_201_CREATED, response_model=TaskPlanRead,
             summary="倒排工期：从目标日期倒推各步骤的计划日期（新建或重排任务）",
             responses={**problem_responses(403, 404, 409), 200: {"model": TaskPlanRead,
                                                                 "description": "试算（dry_run=true），未保存"}})
async def plan_tasks(project_id: uuid.UUID, body: TaskPlanCreate, session: SessionDep, response: Response,
                     actor: WriteTasks, idem: IdempotencyDep) -> TaskPlanRead:
    drafts = [uc.PlanStepDraft(
        key=s.key, duration_days=s.duration_days, working_days=s.working_days,
        after=tuple(s.after) if s.after is not None else None, task_id=s.task_id, title=s.title, kind=s.kind,
        description=s.description, owner_name=s.owner_name, owner_unit_name=s.owner_unit_name,
        owner_person_id=s.owner_person_id, owner_unit_id=s.owner_unit_id) for s in body.steps]
    outcome = await uc.plan_tasks(session, actor, project_id, body.target_date, drafts, dry_run=body.dry_run)
    read = TaskPlanRead(
        target_date=outcome.target_date, start=outcome.start, feasible=outcome.feasible,
        late_steps=list(outcome.late_steps), dry_run=outcome.dry_run,
        items=[PlannedTaskRead(key=i.key, task_id=i.task_id, title=i.title, kind=TaskKind(i.kind),
                               planned_start=i.planned_start, planned_end=i.planned_end,
                               duration_days=i.duration_days, working_days=i.working_days, after=list(i.after),
                               starts_before_today=i.starts_before_today, created=i.created)
               for i in outcome.items])
    if outcome.dry_run:
        response.status_code = status.HTTP_200_OK
        return read
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read
