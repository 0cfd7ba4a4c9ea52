"""Document uploads (multipart) for tasks and problems: the body is read once, within the size limit,
before FastAPI parses the form, so the idempotency dependency (which hashes the raw body) and the form
parser both see it; and the download response with the content's hash as its ETag."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, File, Form, Request, Response, UploadFile
from fastapi.routing import APIRoute

from kernel.errors import FieldError
from services.projects.domain.work_documents import DocumentStorage, Upload
from services.projects.domain.work_errors import DocumentTooLarge

#: What a multipart envelope may add to the file it carries.
MULTIPART_SLACK = 64 * 1024

FileField = Annotated[UploadFile, File(description="附件文件")]
DescriptionField = Annotated[str | None, Form(max_length=500, description="附件说明")]


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


class BufferedUpload(APIRoute):
    """For multipart POSTs: refuse a declared length over the limit before reading anything, read at
    most the limit otherwise, and keep the body for the form parser (Starlette replays a read body)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def buffered(request: Request) -> Response:
            if request.method == "POST" and request.headers.get("content-type", "").startswith("multipart/"):
                limit = storage(request).max_bytes + MULTIPART_SLACK
                declared = request.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > limit:
                    raise too_large(storage(request).max_bytes)
                if declared.isdigit():
                    await request.body()
                else:
                    chunks, size = [], 0
                    async for chunk in request.stream():
                        size += len(chunk)
                        if size > limit:
                            raise too_large(storage(request).max_bytes)
                        chunks.append(chunk)
                    request._body = b"".join(chunks)  # what Request.body() caches and replays
            return await handler(request)

        return buffered


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
