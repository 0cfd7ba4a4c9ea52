"""Routes that take a file upload: the body's size is checked before FastAPI parses the form."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute

from kernel.errors import DomainError
from kernel.settings import MULTIPART_SLACK


def limited_upload_route(max_file_bytes: Callable[[Request], int],
                         too_large: Callable[[int], DomainError]) -> type[APIRoute]:
    """A route class for a router whose POSTs carry multipart uploads: a declared length over
    ``max_file_bytes(request)`` (plus the envelope's slack) is refused with ``too_large(limit)``
    before anything is read; a body without a declared length is read only up to the limit.
    The body read here is kept for the form parser (Starlette replays a read body)."""

    class LimitedUpload(APIRoute):
        def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
            handler = super().get_route_handler()

            async def limited(request: Request) -> Response:
                if request.method == "POST" and request.headers.get("content-type", "").startswith("multipart/"):
                    allowed = max_file_bytes(request)
                    limit = allowed + MULTIPART_SLACK
                    declared = request.headers.get("content-length", "")
                    if declared.isdigit():
                        if int(declared) > limit:
                            raise too_large(allowed)
                        await request.body()
                    else:
                        chunks, size = [], 0
                        async for chunk in request.stream():
                            size += len(chunk)
                            if size > limit:
                                raise too_large(allowed)
                            chunks.append(chunk)
                        request._body = b"".join(chunks)  # what Request.body() caches and replays
                return await handler(request)

            return limited

    return LimitedUpload
