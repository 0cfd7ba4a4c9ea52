"""Use cases of documents attached to tasks (approvals' 批复, certificates) and problems (closing
evidence): store an upload, read its content back, find a document in the caller's scope, list an
owner's documents, and withdraw (作废) one.

The content is kept in the database, or, when a directory is configured, as a file named by its
SHA-256 hash (identical content is kept once). The hash is the download's ETag.

A government archive does not lose files, so a document is never deleted: its withdrawal records when,
by whom and why, the owner's document list leaves it out by default, and the document itself (its
information and its content) can still be read. The rules are in ``documents.rules``; the owner's use
case (``tasks.service.withdraw_task_document``, ``problems.service.withdraw_problem_document``) writes
the change, its audit entry and the owner's ``changed`` event (``change`` = ``document_withdrawn``) in
the caller's transaction. The owners use this slice, never the other way round: ``withdraw_document``
is handed the owners' use cases. Like every use case here these never commit."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import Principal
from services.projects.documents.errors import DocumentUnavailable, WithdrawalForbidden
from services.projects.documents.models import WorkDocument
from services.projects.documents.repository import DocumentRepository
from services.projects.documents.rules import DEFAULT_MAX_BYTES, check_upload, may_withdraw, may_withdraw_any, owner_of

__all__ = [
    "DocumentStorage",
    "OwnerWithdrawal",
    "Upload",
    "get_document",
    "lock_document",
    "problem_documents",
    "problem_documents_among",
    "read_content",
    "store_document",
    "task_documents",
    "withdraw_document",
]


@dataclass(frozen=True, slots=True)
class DocumentStorage:
    directory: Path | None = None  # None: in the database
    max_bytes: int = DEFAULT_MAX_BYTES


@dataclass(frozen=True, slots=True)
class Upload:
    file_name: str
    content_type: str
    content: bytes
    description: str | None = None


def _path_for(directory: Path, sha256: str) -> Path:
    return directory / sha256[:2] / sha256


async def store_document(session: AsyncSession, actor: Principal, upload: Upload, storage: DocumentStorage, *,
                         project_id: uuid.UUID, task_id: uuid.UUID | None = None,
                         problem_id: uuid.UUID | None = None) -> WorkDocument:
    """Keep an upload attached to its owner (a task or a problem of ``project_id``): the owner's use
    case has found the owner in the caller's scope, and audits and announces the upload."""
    size = len(upload.content)
    name, content_type = check_upload(upload.file_name, upload.content_type, size, storage.max_bytes)
    sha256 = hashlib.sha256(upload.content).hexdigest()
    content: bytes | None = upload.content
    where = "database"
    if storage.directory is not None:
        path = _path_for(storage.directory, sha256)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f".{sha256}.{uuid.uuid4().hex}.part")
            temp.write_bytes(upload.content)
            temp.replace(path)  # atomic: a reader never sees half a file
        content, where = None, "directory"
    document = WorkDocument(
        id=uuid.uuid4(), project_id=project_id, task_id=task_id, problem_id=problem_id, file_name=name,
        content_type=content_type, size_bytes=size, sha256=sha256, description=upload.description,
        storage=where, content=content, uploaded_by=actor.subject, uploaded_by_name=actor.name or actor.subject)
    return await DocumentRepository(session).add(document)


def read_content(document: WorkDocument, storage: DocumentStorage) -> bytes:
    """The document's bytes (loaded with ``with_content=True`` when kept in the database)."""
    if document.storage == "database":
        return document.content or b""
    if storage.directory is None:
        raise DocumentUnavailable()
    path = _path_for(storage.directory, document.sha256)
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise DocumentUnavailable() from exc
    if hashlib.sha256(data).hexdigest() != document.sha256:
        raise DocumentUnavailable("stored file does not match its hash")
    return data


async def get_document(session: AsyncSession, actor: Principal, document_id: uuid.UUID, *,
                       with_content: bool = False) -> WorkDocument:
    """A document in the caller's scope, withdrawn or not (its content too with ``with_content``)."""
    return await DocumentRepository(session).require(document_id, actor.scope, with_content=with_content)


async def task_documents(session: AsyncSession, task_id: uuid.UUID, *,
                         include_withdrawn: bool = False) -> list[WorkDocument]:
    """A task's documents by upload time (the caller has found the task in its scope)."""
    return await DocumentRepository(session).of_task(task_id, include_withdrawn=include_withdrawn)


async def problem_documents(session: AsyncSession, problem_id: uuid.UUID, *,
                            include_withdrawn: bool = False) -> list[WorkDocument]:
    """A problem's documents by upload time (the caller has found the problem in its scope)."""
    return await DocumentRepository(session).of_problem(problem_id, include_withdrawn=include_withdrawn)


async def problem_documents_among(session: AsyncSession, problem_id: uuid.UUID,
                                  ids: Sequence[uuid.UUID]) -> list[WorkDocument]:
    """Those of ``ids`` that are documents of the problem, withdrawn ones too (a closure's evidence)."""
    return await DocumentRepository(session).of_problem_among(problem_id, ids)


async def lock_document(session: AsyncSession, actor: Principal, document_id: uuid.UUID) -> WorkDocument:
    """The document read afresh and locked (``FOR NO KEY UPDATE``) for a withdrawal, so two withdrawals
    at once make one and a conflict; "not found" when it is no longer in the caller's scope."""
    return await DocumentRepository(session).require(document_id, actor.scope, lock=True)


#: An owner's use case that withdraws one of its documents (``tasks.service.withdraw_task_document``,
#: ``problems.service.withdraw_problem_document``): the document is one the caller sees and may withdraw.
OwnerWithdrawal = Callable[[AsyncSession, Principal, WorkDocument, str], Awaitable[WorkDocument]]


async def withdraw_document(session: AsyncSession, actor: Principal, document_id: uuid.UUID, reason: str,
                            owners: Mapping[str, OwnerWithdrawal]) -> WorkDocument:
    """Withdraw a document the caller sees, through the use case of its owner (``owners``, by
    ``rules.owner_of``: ``task`` or ``problem``). Refusals, in this order: 403 when the caller may
    withdraw no document at all; 404 when the document is not in the caller's scope (never 403: ids
    leak nothing); 403 without the write permission of the document's owner (the upload's
    permission); 422 for a reason out of bounds; 409 when already withdrawn, or when it is closing
    evidence of a closed problem."""
    if not may_withdraw_any(actor):
        raise WithdrawalForbidden()
    document = await DocumentRepository(session).require(document_id, actor.scope)
    owner = owner_of(document)
    if not may_withdraw(actor, document):
        raise WithdrawalForbidden(extra={"owner": owner})
    return await owners[owner](session, actor, document, reason)
