"""Document uploads (multipart) for tasks and problems, refused over the size limit before the form is
parsed; the download response with the content's hash as its ETag; and the document lists' filter."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, File, Form, Query, Request, Response, UploadFile

from kernel.errors import FieldError
from kernel.web.uploads import limited_upload_route
from services.projects.documents.errors import DocumentTooLarge
from services.projects.documents.service import DocumentStorage, Upload

FileField = Annotated[UploadFile, File(description="附件文件")]
DescriptionField = Annotated[str | None, Form(max_length=500, description="附件说明")]
#: A document list's filter: withdrawn documents (作废) are left out unless asked for.
IncludeWithdrawn = Annotated[bool, Query(description="true：同时列出已作废的附件（默认不列出）")]


def storage(request: Request) -> DocumentStorage:
    """Where documents go (settings ``PROJECTS_DOCUMENT_DIR``: a directory, else the database)
    and how large one may be (``PROJECTS_DOCUMENT_MAX_BYTES``)."""
    settings = request.app.state.settings
    return DocumentStorage(directory=settings.document_dir, max_bytes=settings.document_max_bytes)


async def _storage(request: Request) -> DocumentStorage:  # async: no thread hop per request
    return storage(request)


StorageDep = Annotated[DocumentStorage, Depends(_storage)]


def too_large(limit: int) -> DocumentTooLarge:
    return DocumentTooLarge(f"body over {limit} bytes", errors=[
        FieldError("body.file", "too_large", f"附件不能超过 {max(limit // (1024 * 1024), 1)} MB")],
        extra={"max_bytes": limit})


#: Document uploads: refused over the size limit before the form is parsed.
BufferedUpload = limited_upload_route(lambda request: storage(request).max_bytes, too_large)


async def read_upload(file: UploadFile, description: str | None, store: DocumentStorage) -> Upload:
    """The upload, never reading more than the limit plus one byte (the domain then answers 413)."""
    data = await file.read(store.max_bytes + 1)
    if len(data) > store.max_bytes:
        raise too_large(store.max_bytes)
    return Upload(file_name=file.filename or "", content_type=file.content_type or "application/octet-stream",
                  content=data, description=description.strip() if description and description.strip() else None)


def download(content: bytes, file_name: str, content_type: str, sha256: str, if_none_match: str | None) -> Response:
    etag = f'"{sha256}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=0, must-revalidate",
               "X-Content-Type-Options": "nosniff"}
    if if_none_match and etag in [v.strip() for v in if_none_match.split(",")]:
        return Response(status_code=304, headers=headers)
    ascii_name = file_name.encode("ascii", "replace").decode().replace('"', "'")
    headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name)}"
    return Response(content, media_type=content_type, headers=headers)
