"""Documents attached to tasks (approvals' 批复, certificates) and problems (closing evidence): stored in
the database, or, when a directory is configured, as files named by their SHA-256 hash (identical
content is kept once). The hash is the download's ETag."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth import Principal
from kernel.errors import FieldError
from services.projects.db.models_work import WorkDocument
from services.projects.db.work_repositories import DocumentRepository
from services.projects.domain.work_errors import DocumentInvalid, DocumentTooLarge, DocumentUnavailable

#: Default upper bound of one document (20 MiB); the setting ``PROJECTS_DOCUMENT_MAX_BYTES`` overrides it.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


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
