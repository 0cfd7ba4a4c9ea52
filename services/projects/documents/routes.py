"""Routes: documents attached to tasks (approvals' 批复) and problems (closing evidence): upload and list
them on their owner, read one, download its content, withdraw (作废) it. Paths are absolute under
``/api/v1/projects``; each route carries its owner's tag (``tasks`` or ``problems``), as the contract
has it, so the router itself has none."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Response, status

from kernel.idempotency.web import IdempotencyDep
from kernel.web.deps import SessionDep
from kernel.web.problems import problem_responses
from kernel.web.responses import created
from services.projects.documents import service as uc
from services.projects.documents.schemas import DocumentList, DocumentRead, DocumentWithdraw
from services.projects.documents.uploads import (
    BufferedUpload,
    DescriptionField,
    FileField,
    IncludeWithdrawn,
    StorageDep,
    download,
    read_upload,
)
from services.projects.permissions import ReadProjects, WithdrawDocuments, WriteProblems, WriteTasks
from services.projects.problems import service as problems
from services.projects.tasks import service as tasks

router = APIRouter(prefix="/api/v1/projects", responses=problem_responses())
router.route_class = BufferedUpload

#: Who withdraws a document of each kind of owner (``documents.rules.owner_of``).
OWNERS: dict[str, uc.OwnerWithdrawal] = {
    "task": tasks.withdraw_task_document,
    "problem": problems.withdraw_problem_document,
}


@router.post("/tasks/{task_id}/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentRead,
             tags=["tasks"], summary="上传任务附件（如审批批复）", responses=problem_responses(403, 404, 413))
async def upload_task_document(task_id: uuid.UUID, file: FileField, session: SessionDep, response: Response,
                               actor: WriteTasks, idem: IdempotencyDep, store: StorageDep,
                               description: DescriptionField = None) -> DocumentRead:
    document = await tasks.add_task_document(session, actor, task_id, await read_upload(file, description, store),
                                             store)
    read = DocumentRead.model_validate(document)
    return await created(read, response, location=read.download_url, idem=idem)


@router.get("/tasks/{task_id}/documents", response_model=DocumentList, tags=["tasks"], summary="任务附件",
            responses=problem_responses(404))
async def list_task_documents(task_id: uuid.UUID, session: SessionDep, actor: ReadProjects,
                              include_withdrawn: IncludeWithdrawn = False) -> DocumentList:
    documents = await tasks.list_task_documents(session, actor, task_id, include_withdrawn=include_withdrawn)
    return DocumentList(items=[DocumentRead.model_validate(d) for d in documents])


@router.post("/problems/{problem_id}/documents", status_code=status.HTTP_201_CREATED, response_model=DocumentRead,
             tags=["problems"], summary="上传问题附件（可作为销号佐证）", responses=problem_responses(403, 404, 413))
async def upload_problem_document(problem_id: uuid.UUID, file: FileField, session: SessionDep, response: Response,
                                  actor: WriteProblems, idem: IdempotencyDep, store: StorageDep,
                                  description: DescriptionField = None) -> DocumentRead:
    document = await problems.add_problem_document(session, actor, problem_id,
                                                   await read_upload(file, description, store), store)
    read = DocumentRead.model_validate(document)
    return await created(read, response, location=read.download_url, idem=idem)


@router.get("/problems/{problem_id}/documents", response_model=DocumentList, tags=["problems"], summary="问题附件",
            responses=problem_responses(404))
async def list_problem_documents(problem_id: uuid.UUID, session: SessionDep, actor: ReadProjects,
                                 include_withdrawn: IncludeWithdrawn = False) -> DocumentList:
    documents = await problems.list_problem_documents(session, actor, problem_id,
                                                      include_withdrawn=include_withdrawn)
    return DocumentList(items=[DocumentRead.model_validate(d) for d in documents])


@router.get("/documents/{document_id}", response_model=DocumentRead, tags=["tasks"], summary="查看附件信息",
            description="已作废的附件仍可查看（含作废时间、作废人和原因）。", responses=problem_responses(404))
async def get_document(document_id: uuid.UUID, session: SessionDep, response: Response,
                       actor: ReadProjects) -> DocumentRead:
    document = await uc.get_document(session, actor, document_id)
    response.headers["ETag"] = f'"{document.sha256}"'
    return DocumentRead.model_validate(document)


@router.get("/documents/{document_id}/content", response_class=Response, response_model=None, tags=["tasks"],
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
    content = uc.read_content(document, store)
    return download(content, document.file_name, document.content_type, document.sha256, None)


@router.post("/documents/{document_id}/withdraw", response_model=DocumentRead, tags=["tasks"],
             summary="作废附件（不删除，档案留存）",
             description=(
                 "作废任务或问题的附件：记录作废时间、作废人和原因。作废后附件默认不再出现在任务或问题的附件列表中"
                 "（`include_withdrawn=true` 可列出），但仍可查看和下载。须有上传该附件所需的权限：任务附件为 "
                 "`tasks.write`，问题附件为 `problems.write`。已作废的附件不能再次作废（409 "
                 "`document.already_withdrawn`）；已销号问题的销号佐证不能作废（409 `document.is_evidence`，须先"
                 "重新打开问题）；已作废的附件不能作为销号佐证。"),
             responses=problem_responses(403, 404, 409))
async def withdraw_document(document_id: uuid.UUID, body: DocumentWithdraw, session: SessionDep,
                            response: Response, actor: WithdrawDocuments) -> DocumentRead:
    document = await uc.withdraw_document(session, actor, document_id, body.reason, OWNERS)
    response.headers["ETag"] = f'"{document.sha256}"'
    return DocumentRead.model_validate(document)
