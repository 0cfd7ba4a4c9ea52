"""Documents attached to tasks (approvals' 批复, certificates) and problems (closing evidence): stored in
the database, or, when a directory is configured, as files named by their SHA-256 hash (identical
content is kept once). The hash is the download's ETag.

A document is never deleted: it may be withdrawn (作废) with a reason. The rules of a withdrawal are
here (pure): the caller needs the write permission of the document's owner, as for the upload; a
document is withdrawn once; a document cited as closing evidence (销号佐证) of a problem that is closed
stays, as the closure rests on it. A withdrawn document keeps its content and can still be read and
downloaded (an archive keeps what was filed); owners' lists leave it out unless asked."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import Principal
from kernel.errors import FieldError
from services.projects.work.errors import (
    DocumentAlreadyWithdrawn,
    DocumentInvalid,
    DocumentIsEvidence,
    DocumentTooLarge,
    DocumentUnavailable,
    WithdrawalInvalid,
)
from services.projects.work.models import WorkDocument
from services.projects.work.repository import DocumentRepository

#: Default upper bound of one document (20 MiB); the setting ``PROJECTS_DOCUMENT_MAX_BYTES`` overrides it.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

#: The permission needed to attach a document to each kind of owner, and to withdraw one from it.
OWNER_PERMISSIONS = {"task": "tasks.write", "problem": "problems.write"}
#: Bounds of a withdrawal's reason, in characters once stripped.
REASON_MIN_CHARS, REASON_MAX_CHARS = 2, 500


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


def _clean_name(name: str) -> str:
    # Keep the name for display only; never a path.
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:255]


def _path_for(directory: Path, sha256: str) -> Path:
    return directory / sha256[:2] / sha256


async def store_document(session: AsyncSession, actor: Principal, upload: Upload, storage: DocumentStorage, *,
                         project_id: uuid.UUID, task_id: uuid.UUID | None = None,
                         problem_id: uuid.UUID | None = None) -> WorkDocument:
    size = len(upload.content)
    if size > storage.max_bytes:
        raise DocumentTooLarge(f"at most {storage.max_bytes} bytes", extra={"max_bytes": storage.max_bytes})
    name = _clean_name(upload.file_name)
    errors = []
    if not name:
        errors.append(FieldError("body.file", "no_name", "附件须有文件名"))
    if size == 0:
        errors.append(FieldError("body.file", "empty", "附件内容为空"))
    content_type = (upload.content_type or "application/octet-stream").split(";")[0].strip().lower()
    if "/" not in content_type or len(content_type) > 127:
        errors.append(FieldError("body.file", "content_type", "附件类型无效"))
    if errors:
        raise DocumentInvalid(errors=errors)
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


# --- withdrawal (作废) ----------------------------------------------------------------------------------


def owner_of(document: WorkDocument) -> str:
    """``task`` or ``problem``: what the document is attached to."""
    return "task" if document.task_id is not None else "problem"


def may_withdraw(actor: Principal, document: WorkDocument) -> bool:
    return actor.may(OWNER_PERMISSIONS[owner_of(document)])


def may_withdraw_any(actor: Principal) -> bool:
    """Whether the caller may withdraw documents of at least one kind of owner."""
    return any(actor.may(p) for p in OWNER_PERMISSIONS.values())


def check_withdrawal(document: WorkDocument, reason: str, *, closing_evidence: bool) -> str:
    """The rules of a withdrawal (pure); returns the reason stripped. ``closing_evidence``: the document
    is named among the evidence of a closure of its problem, and that problem is closed now."""
    cleaned = reason.strip()
    if not REASON_MIN_CHARS <= len(cleaned) <= REASON_MAX_CHARS:
        raise WithdrawalInvalid(errors=[FieldError(
            "body.reason", "length", f"作废原因须为 {REASON_MIN_CHARS} 到 {REASON_MAX_CHARS} 个字")])
    if document.withdrawn_at is not None:
        raise DocumentAlreadyWithdrawn(extra={"withdrawn_at": document.withdrawn_at.isoformat()})
    if closing_evidence:
        raise DocumentIsEvidence(extra={"problem_id": str(document.problem_id)})
    return cleaned


def mark_withdrawn(document: WorkDocument, actor: Principal, reason: str, at: dt.datetime) -> None:
    document.withdrawn_at = at
    document.withdrawn_by = actor.subject
    document.withdrawn_by_name = actor.name or actor.subject
    document.withdrawal_reason = reason


def withdrawal_audit(document: WorkDocument) -> dict[str, Any]:
    """What the audit log keeps of a document's withdrawal state."""
    return {"document_id": document.id, "file_name": document.file_name, "sha256": document.sha256,
            "withdrawn_at": document.withdrawn_at, "withdrawn_by": document.withdrawn_by,
            "withdrawal_reason": document.withdrawal_reason}
