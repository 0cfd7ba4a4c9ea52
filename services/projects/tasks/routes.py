"""Routes: tasks (任务清单), approvals and their documents, progress reports, and backward-scheduled
plans (倒排工期). Paths are absolute under ``/api/v1/projects``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Header, Query, Response, status

from kernel import calendar
from kernel.concurrency import etag, expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.web.deps import IfMatch, PageDep, SessionDep, api_router
from kernel.web.problems import problem_responses
from services.projects.documents import service as document_withdrawal
from services.projects.documents.rules import read_content
from services.projects.documents.uploads import (
    BufferedUpload,
    DescriptionField,
    FileField,
    IncludeWithdrawn,
    StorageDep,
    download,
    read_upload,
)
from services.projects.permissions import ReadProjects, WithdrawDocuments, WriteTasks
from services.projects.tasks import service as uc
from services.projects.work.schemas import (
    TASK_ROWS,
    DocumentList,
    DocumentRead,
    DocumentWithdraw,
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
from services.projects.work.vocabulary import TaskKind, TaskStatus

router = api_router("/api/v1/projects", "tasks")
router.route_class = BufferedUpload

_OVERDUE = Query(description="true：只看逾期（计划完成日期已过且未完成）；false：只看未逾期")
_UPDATED_SINCE = Query(description="只返回此时间之后变更的任务（增量同步），按变更时间排序")


def _task_page(rows: Sequence[Any], next_cursor: str | None) -> Response:
    today = calendar.today()
    return TASK_ROWS.page(rows, next_cursor, derive=lambda values: task_derived(values, today))


def _read(task: object, response: Response) -> TaskRead:
    read = TaskRead.model_validate(task)
    response.headers["ETag"] = etag(read.version)
    return read


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


@router.post("/projects/{project_id}/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskRead,
             summary="新增任务（含审批事项）", responses=problem_responses(403, 404, 409))
async def create_task(project_id: uuid.UUID, body: TaskCreate, session: SessionDep, response: Response,
                      actor: WriteTasks, idem: IdempotencyDep) -> TaskRead:
    values = body.model_dump()
    values["depends_on"] = tuple(values["depends_on"])
    task = await uc.create_task(session, actor, uc.TaskDraft(project_id=project_id, **values))
    response.headers["Location"] = f"{router.prefix}/tasks/{task.id}"
    read = _read(task, response)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


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
    updated_since: Annotated[dt.datetime | None, _UPDATED_SINCE] = None,
) -> Response:
    result = await uc.list_tasks(session, actor, page, project_id=project_id, status=status_, kind=kind,
                                 approvals_only=approvals, overdue=overdue, due_before=due_before,
                                 updated_since=_utc(updated_since))
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
    updated_since: Annotated[dt.datetime | None, _UPDATED_SINCE] = None,
) -> Response:
    result = await uc.list_tasks(session, actor, page, status=status_, kind=kind, approvals_only=approvals,
                                 overdue=overdue, due_before=due_before, updated_since=_utc(updated_since))
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


@router.post("/tasks/{task_id}/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentRead,
             summary="上传任务附件（如审批批复）", responses=problem_responses(403, 404, 413))
async def upload_task_document(task_id: uuid.UUID, file: FileField, session: SessionDep, response: Response,
                               actor: WriteTasks, idem: IdempotencyDep, store: StorageDep,
                               description: DescriptionField = None) -> DocumentRead:
    document = await uc.add_task_document(session, actor, task_id, await read_upload(file, description, store),
                                          store)
    read = DocumentRead.model_validate(document)
    response.headers["Location"] = read.download_url
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.get("/tasks/{task_id}/documents", response_model=DocumentList, summary="任务附件",
            responses=problem_responses(404))
async def list_task_documents(task_id: uuid.UUID, session: SessionDep, actor: ReadProjects,
                              include_withdrawn: IncludeWithdrawn = False) -> DocumentList:
    documents = await uc.list_task_documents(session, actor, task_id, include_withdrawn=include_withdrawn)
    return DocumentList(items=[DocumentRead.model_validate(d) for d in documents])


@router.get("/documents/{document_id}", response_model=DocumentRead, summary="查看附件信息",
            description="已作废的附件仍可查看（含作废时间、作废人和原因）。", responses=problem_responses(404))
async def get_document(document_id: uuid.UUID, session: SessionDep, response: Response,
                       actor: ReadProjects) -> DocumentRead:
    document = await uc.get_document(session, actor, document_id)
    response.headers["ETag"] = f'"{document.sha256}"'
    return DocumentRead.model_validate(document)


@router.get("/documents/{document_id}/content", response_class=Response, response_model=None,
            summary="下载附件", description="已作废的附件仍可下载：档案不丢失文件。", responses={
                200: {"description": "附件内容（ETag 为内容的 SHA-256）",
                      "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}},
                304: {"description": "内容未变（If-None-Match 与 ETag 相同）"},
                **problem_responses(404)})
async def download_document(
    document_id: uuid.UUID, session: SessionDep, actor: ReadProjects, store: StorageDep,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match", description="上次下载的 ETag")] = None,
) -> Response:
    document = await uc.get_document(session, actor, document_id)
    if if_none_match and f'"{document.sha256}"' in if_none_match:
        return download(b"", document.file_name, document.content_type, document.sha256, if_none_match)
    document = await uc.get_document(session, actor, document_id, with_content=True)
    content = read_content(document, store)
    return download(content, document.file_name, document.content_type, document.sha256, None)


@router.post("/documents/{document_id}/withdraw", response_model=DocumentRead, summary="作废附件（不删除，档案留存）",
             description=(
                 "作废任务或问题的附件：记录作废时间、作废人和原因。作废后附件默认不再出现在任务或问题的附件列表中"
                 "（`include_withdrawn=true` 可列出），但仍可查看和下载。须有上传该附件所需的权限：任务附件为 "
                 "`tasks.write`，问题附件为 `problems.write`。已作废的附件不能再次作废（409 "
                 "`document.already_withdrawn`）；已销号问题的销号佐证不能作废（409 `document.is_evidence`，须先"
                 "重新打开问题）；已作废的附件不能作为销号佐证。"),
             responses=problem_responses(403, 404, 409))
async def withdraw_document(document_id: uuid.UUID, body: DocumentWithdraw, session: SessionDep,
                            response: Response, actor: WithdrawDocuments) -> DocumentRead:
    document = await document_withdrawal.withdraw_document(session, actor, document_id, body.reason)
    response.headers["ETag"] = f'"{document.sha256}"'
    return DocumentRead.model_validate(document)


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
