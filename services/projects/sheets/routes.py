"""Routes: Excel (.xlsx) import, export and blank templates of projects, tasks and problems.

Paths are absolute under ``/api/v1/projects/sheets``. Export needs ``projects.read`` and
writes the caller's scoped list with the filters of the list endpoints; import needs the
write permission of its kind and is all or nothing (``import.invalid`` lists every
problem by row and column); ``dry_run=true`` checks a file without writing anything.
A row whose 记录ID names an existing record updates it (its 版本 must be the record's
current version); an import answers 201 when it created a record, 200 otherwise.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import File, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field

from contracts.projects import ProjectType, Stage
from kernel.errors import FieldError
from kernel.idempotency.web import IdempotencyDep
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.uploads import limited_upload_route
from services.projects.permissions import ReadProjects, WriteProblems, WriteProjects, WriteTasks
from services.projects.problems.vocabulary import ProblemCategory, ProblemStatus
from services.projects.sheets import service as uc
from services.projects.sheets.rules import XLSX_MEDIA_TYPE, SheetLimits, SheetTooLarge, check_upload
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

_DEFAULTS = SheetLimits()
#: A hard cap on any request body of these routes, whatever the settings say.
_BODY_CAP = 256 * 1024 * 1024


router = api_router("/api/v1/projects/sheets", "sheets")
_XLSX_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Excel 工作簿（.xlsx）",
        "content": {XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}},
    },
}


class ImportResult(BaseModel):
    # Two response schemas are named ImportResult; the contract tells them apart by the module each
    # was first declared in. Pinned, so the published component names (and generated clients) stay.
    __module__ = "services.projects.api.routes_sheets"
    kind: str = Field(description="导入的数据种类：projects、tasks 或 problems")
    rows: int = Field(description="读取到的数据行数（空行不计）")
    created: int = Field(description="新建的记录数；试导入（dry_run）时为将新建的记录数")
    updated: int = Field(description="更新的已有记录数（记录ID 为已有记录、且有列与系统中不同的行）；"
                                     "试导入时为将更新的记录数")
    unchanged: int = Field(description="记录ID 为已有记录、但与系统中相同而未作变更的行数")
    dry_run: bool = Field(description="是否仅检查、未写入")
    ids: list[uuid.UUID] = Field(description="新建记录的 ID，按文件中的行序（更新的记录见 updated_ids）；试导入时为空")
    updated_ids: list[uuid.UUID] = Field(description="更新的记录的 ID，按文件中的行序；试导入时为空")


ImportResult.model_rebuild()  # its annotations resolve here, not in the pinned module



DryRun = Annotated[bool, Query(description="为 true 时只检查文件并报告错误，不写入任何数据")]
Upload = Annotated[UploadFile, File(description="按模板填写的 .xlsx 工作簿（第一行为中文列名）")]


def _limits(request: Request) -> SheetLimits:
    settings = request.app.state.settings
    return SheetLimits(
        max_bytes=settings.sheets_max_bytes,
        max_unpacked_bytes=settings.sheets_max_unpacked_bytes,
        max_rows=settings.sheets_import_max_rows,
    )


def _too_large(limit: int) -> SheetTooLarge:
    return SheetTooLarge(f"body over {limit} bytes", errors=[
        FieldError("body.file", "too_large", f"文件不能超过 {limit // (1024 * 1024)} MB")])


#: Uploads over the size limit are refused before the form is parsed.
router.route_class = limited_upload_route(lambda request: _limits(request).max_bytes, _too_large)


def _export_max_rows(request: Request) -> int:
    return int(request.app.state.settings.sheets_export_max_rows)


async def _read_upload(file: UploadFile, limits: SheetLimits) -> bytes:
    """The upload's bytes, refusing what is plainly no .xlsx before reading it, and never
    reading more than the limit (``read_sheet`` then answers 413 for the extra byte)."""
    check_upload(file.filename, file.content_type, b"")
    data = await file.read(limits.max_bytes + 1)
    check_upload(file.filename, file.content_type, data)
    return data


def _xlsx(file: uc.ExportFile) -> Response:
    disposition = f"attachment; filename=\"{file.filename.encode('ascii', 'replace').decode()}\"; " \
                  f"filename*=UTF-8''{quote(file.filename)}"
    return Response(file.content, media_type=XLSX_MEDIA_TYPE,
                    headers={"Content-Disposition": disposition, "X-Row-Count": str(file.rows)})


async def _answer(report: uc.ImportReport, response: Response, idem: IdempotencyDep) -> ImportResult:
    result = ImportResult(kind=report.kind, rows=report.rows, created=report.created, updated=report.updated,
                          unchanged=report.unchanged, dry_run=report.dry_run, ids=list(report.ids),
                          updated_ids=list(report.updated_ids))
    if report.dry_run:
        response.status_code = status.HTTP_200_OK
    else:
        response.status_code = status.HTTP_201_CREATED if report.created else status.HTTP_200_OK
        await idem.save(response, result, response.status_code)
    return result


_IMPORT_RESPONSES = {
    **problem_responses(403, 409, 413, 415),
    200: {"model": ImportResult, "description": "试导入（dry_run=true）：文件无误，未写入；"
                                                "或全部导入成功但未新建记录（只更新了已有记录或均无变化）"},
    201: {"description": "全部导入成功，且新建了记录"},
}


# --------------------------------------------------------------------------- projects


@router.get("/projects/template", response_class=Response, response_model=None, responses=_XLSX_RESPONSE,
            summary="下载项目导入模板")
async def project_template(actor: ReadProjects) -> Response:
    return _xlsx(uc.template("projects"))


@router.get("/projects", response_class=Response, response_model=None,
            responses={**_XLSX_RESPONSE, **problem_responses(403, 413)}, summary="导出项目清单（Excel）")
async def export_projects(
    request: Request,
    session: SessionDep,
    actor: ReadProjects,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN,
                                               description="行政区划代码前缀，如 430903 表示赫山区内")] = None,
    type: Annotated[ProjectType | None, Query(description="项目类型")] = None,
    stage: Annotated[Stage | None, Query(description="当前阶段")] = None,
    updated_since: Annotated[UpdatedSince, Query(description="只导出此时间之后变更的项目")] = None,
) -> Response:
    return _xlsx(await uc.export_projects(session, actor, region_prefix=region_prefix, type=type, stage=stage,
                                          updated_since=updated_since, max_rows=_export_max_rows(request)))


@router.post("/projects", status_code=status.HTTP_201_CREATED, response_model=ImportResult, max_body_size=_BODY_CAP,
             responses=_IMPORT_RESPONSES,
             summary="导入项目清单（Excel：新登记，或按记录ID和版本更新；全部成功或全部不导入）")
async def import_projects(request: Request, file: Upload, session: SessionDep, response: Response,
                          actor: WriteProjects, idem: IdempotencyDep, dry_run: DryRun = False) -> ImportResult:
    limits = _limits(request)
    data = await _read_upload(file, limits)
    report = await uc.import_projects(session, actor, data, dry_run=dry_run, limits=limits)
    return await _answer(report, response, idem)


# --------------------------------------------------------------------------- tasks

_OVERDUE = Query(description="true：只导出逾期的；false：只导出未逾期的")
_PROJECT = Query(description="只导出某个项目的")


@router.get("/tasks/template", response_class=Response, response_model=None, responses=_XLSX_RESPONSE,
            summary="下载任务导入模板")
async def task_template(actor: ReadProjects) -> Response:
    return _xlsx(uc.template("tasks"))


@router.get("/tasks", response_class=Response, response_model=None,
            responses={**_XLSX_RESPONSE, **problem_responses(403, 404, 413)},
            summary="导出任务清单（Excel；某个项目的或管辖范围内所有项目的）")
async def export_tasks(
    request: Request,
    session: SessionDep,
    actor: ReadProjects,
    project_id: Annotated[uuid.UUID | None, _PROJECT] = None,
    status_: Annotated[TaskStatus | None, Query(alias="status", description="状态")] = None,
    kind: Annotated[TaskKind | None, Query(description="任务类型")] = None,
    approvals: Annotated[bool, Query(description="true：只导出审批事项")] = False,
    overdue: Annotated[bool | None, _OVERDUE] = None,
    due_before: Annotated[dt.date | None, Query(description="计划完成日期早于该日")] = None,
    updated_since: Annotated[UpdatedSince, Query(description="只导出此时间之后变更的任务")] = None,
) -> Response:
    return _xlsx(await uc.export_tasks(session, actor, project_id=project_id, status=status_, kind=kind,
                                       approvals_only=approvals, overdue=overdue, due_before=due_before,
                                       updated_since=updated_since, max_rows=_export_max_rows(request)))


@router.post("/tasks", status_code=status.HTTP_201_CREATED, response_model=ImportResult, max_body_size=_BODY_CAP,
             responses=_IMPORT_RESPONSES,
             summary="导入任务清单（Excel：新登记，或按记录ID和版本更新；全部成功或全部不导入）")
async def import_tasks(request: Request, file: Upload, session: SessionDep, response: Response,
                       actor: WriteTasks, idem: IdempotencyDep, dry_run: DryRun = False) -> ImportResult:
    limits = _limits(request)
    data = await _read_upload(file, limits)
    report = await uc.import_tasks(session, actor, data, dry_run=dry_run, limits=limits)
    return await _answer(report, response, idem)


# --------------------------------------------------------------------------- problems


@router.get("/problems/template", response_class=Response, response_model=None, responses=_XLSX_RESPONSE,
            summary="下载问题清单导入模板")
async def problem_template(actor: ReadProjects) -> Response:
    return _xlsx(uc.template("problems"))


@router.get("/problems", response_class=Response, response_model=None,
            responses={**_XLSX_RESPONSE, **problem_responses(403, 404, 413)},
            summary="导出问题清单（Excel；某个项目的或管辖范围内所有项目的）")
async def export_problems(
    request: Request,
    session: SessionDep,
    actor: ReadProjects,
    project_id: Annotated[uuid.UUID | None, _PROJECT] = None,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="项目所在行政区划代码前缀")] = None,
    status_: Annotated[ProblemStatus | None, Query(alias="status", description="状态")] = None,
    category: Annotated[ProblemCategory | None, Query(description="问题类别")] = None,
    overdue: Annotated[bool | None, _OVERDUE] = None,
    due_within_days: Annotated[int | None, Query(ge=0, le=366, description="只导出未销号且已逾期或在该天数内到期的")]
    = None,
    updated_since: Annotated[UpdatedSince, Query(description="只导出此时间之后变更的问题")] = None,
) -> Response:
    return _xlsx(await uc.export_problems(session, actor, project_id=project_id, region_prefix=region_prefix,
                                          status=status_, category=category, overdue=overdue,
                                          due_within_days=due_within_days, updated_since=updated_since,
                                          max_rows=_export_max_rows(request)))


@router.post("/problems", status_code=status.HTTP_201_CREATED, response_model=ImportResult,
             max_body_size=_BODY_CAP, responses=_IMPORT_RESPONSES,
             summary="导入问题清单（Excel：新行逐行挂号，或按记录ID和版本更新；全部成功或全部不导入）")
async def import_problems(request: Request, file: Upload, session: SessionDep, response: Response,
                          actor: WriteProblems, idem: IdempotencyDep, dry_run: DryRun = False) -> ImportResult:
    limits = _limits(request)
    data = await _read_upload(file, limits)
    report = await uc.import_problems(session, actor, data, dry_run=dry_run, limits=limits)
    return await _answer(report, response, idem)
