"""What routes answer, written once: a created record (``Location``, ``ETag``, and the saved answer
for ``Idempotency-Key`` retries) and a read record (its ``ETag``)."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Response, status
from pydantic import BaseModel

from kernel.concurrency import etag
from kernel.idempotency.web import Idempotency

R = TypeVar("R", bound=BaseModel)


def with_etag(read: R, response: Response) -> R:
    """A record's answer carries its version as ``ETag`` (sent back in ``If-Match`` to change it)."""
    version = getattr(read, "version", None)
    if isinstance(version, int):
        response.headers["ETag"] = etag(version)
    return read


async def created(read: R, response: Response, *, location: str, idem: Idempotency) -> R:
    """A created record's answer (201): where it lives, its ``ETag``, and the answer saved under the
    request's ``Idempotency-Key`` in the same transaction (a retry answers the same)."""
    response.headers["Location"] = location
    with_etag(read, response)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read
