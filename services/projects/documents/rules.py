"""The rules of documents attached to tasks (approvals' 批复, certificates) and problems (closing
evidence), pure: what an upload must be (a file name, some content, a media type, within the size
limit) and the rules of a withdrawal (作废). Storing and reading the content is the service's.

A document is never deleted: it may be withdrawn with a reason. The caller needs the write permission
of the document's owner, as for the upload; a document is withdrawn once; a document cited as closing
evidence (销号佐证) of a problem that is closed stays, as the closure rests on it. A withdrawn document
keeps its content and can still be read and downloaded (an archive keeps what was filed); owners'
lists leave it out unless asked."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Protocol

from kernel.auth.principal import Principal
from kernel.errors import FieldError
from services.projects.documents.errors import (
    DocumentAlreadyWithdrawn,
    DocumentInvalid,
    DocumentIsEvidence,
    DocumentTooLarge,
    WithdrawalInvalid,
)

#: Default upper bound of one document (20 MiB); the setting ``PROJECTS_DOCUMENT_MAX_BYTES`` overrides it.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
#: The longest file name and media type kept (the columns' lengths).
NAME_MAX_CHARS, CONTENT_TYPE_MAX_CHARS = 255, 127
#: The media type of an upload that names none.
DEFAULT_CONTENT_TYPE = "application/octet-stream"

#: The permission needed to attach a document to each kind of owner, and to withdraw one from it.
OWNER_PERMISSIONS = {"task": "tasks.write", "problem": "problems.write"}
#: Bounds of a withdrawal's reason, in characters once stripped.
REASON_MIN_CHARS, REASON_MAX_CHARS = 2, 500


class Document(Protocol):
    """What the rules read and write of a document (a ``documents.models.WorkDocument``)."""

    id: uuid.UUID
    task_id: uuid.UUID | None
    problem_id: uuid.UUID | None
    file_name: str
    sha256: str
    withdrawn_at: dt.datetime | None
    withdrawn_by: str | None
    withdrawn_by_name: str | None
    withdrawal_reason: str | None


# --- upload -----------------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    """The file name kept for display only: never a path."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return base[:NAME_MAX_CHARS]


def check_upload(file_name: str, content_type: str | None, size: int, max_bytes: int) -> tuple[str, str]:
    """The rules of an upload; returns the file name and the media type to keep. Over ``max_bytes``
    is refused first (413), then a missing name, empty content or an invalid media type (422)."""
    if size > max_bytes:
        raise DocumentTooLarge(f"at most {max_bytes} bytes", extra={"max_bytes": max_bytes})
    name = clean_name(file_name)
    errors = []
    if not name:
        errors.append(FieldError("body.file", "no_name", "附件须有文件名"))
    if size == 0:
        errors.append(FieldError("body.file", "empty", "附件内容为空"))
    media_type = (content_type or DEFAULT_CONTENT_TYPE).split(";")[0].strip().lower()
    if "/" not in media_type or len(media_type) > CONTENT_TYPE_MAX_CHARS:
        errors.append(FieldError("body.file", "content_type", "附件类型无效"))
    if errors:
        raise DocumentInvalid(errors=errors)
    return name, media_type


# --- withdrawal (作废) ----------------------------------------------------------------------------------


def owner_of(document: Document) -> str:
    """``task`` or ``problem``: what the document is attached to."""
    return "task" if document.task_id is not None else "problem"


def may_withdraw(actor: Principal, document: Document) -> bool:
    return actor.may(OWNER_PERMISSIONS[owner_of(document)])


def may_withdraw_any(actor: Principal) -> bool:
    """Whether the caller may withdraw documents of at least one kind of owner."""
    return any(actor.may(p) for p in OWNER_PERMISSIONS.values())


def check_withdrawal(document: Document, reason: str, *, closing_evidence: bool) -> str:
    """The rules of a withdrawal; returns the reason stripped. ``closing_evidence``: the document is
    named among the evidence of a closure of its problem, and that problem is closed now."""
    cleaned = reason.strip()
    if not REASON_MIN_CHARS <= len(cleaned) <= REASON_MAX_CHARS:
        raise WithdrawalInvalid(errors=[FieldError(
            "body.reason", "length", f"作废原因须为 {REASON_MIN_CHARS} 到 {REASON_MAX_CHARS} 个字")])
    if document.withdrawn_at is not None:
        raise DocumentAlreadyWithdrawn(extra={"withdrawn_at": document.withdrawn_at.isoformat()})
    if closing_evidence:
        raise DocumentIsEvidence(extra={"problem_id": str(document.problem_id)})
    return cleaned


def mark_withdrawn(document: Document, actor: Principal, reason: str, at: dt.datetime) -> None:
    """What a withdrawal writes on the document: when, by whom (the subject and a name) and why."""
    document.withdrawn_at = at
    document.withdrawn_by = actor.subject
    document.withdrawn_by_name = actor.name or actor.subject
    document.withdrawal_reason = reason


def withdrawal_audit(document: Document) -> dict[str, Any]:
    """What the audit log keeps of a document's withdrawal state."""
    return {"document_id": document.id, "file_name": document.file_name, "sha256": document.sha256,
            "withdrawn_at": document.withdrawn_at, "withdrawn_by": document.withdrawn_by,
            "withdrawal_reason": document.withdrawal_reason}
