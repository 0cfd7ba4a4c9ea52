"""``Idempotency-Key`` on POSTs that create or pay.

The first request with a key runs and stores its response in the same
transaction as its effect. A retry with the same key and body gets that
response again (``Idempotent-Replayed: true``) and causes nothing; the same key
with another body answers 422; a retry while the first is still running
answers 409. Keys are per caller and kept ``idempotency_ttl_hours`` (7 days).

The key is optional (decision 0022). A JSON create that carries its client-generated
``id`` and no key is keyed by that id: a retry with the same body gets the first
response again; another body with the same id goes to the route, which answers
409 (``*.id_taken``). A create with neither a key nor an id is not protected
against retries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import Response

from kernel.auth.principal import Principal
from kernel.errors import Conflict, FieldError, Invalid
from kernel.idempotency.store import IdempotencyStore, StoredResponse
from kernel.web.auth import authenticate
from kernel.web.deps import SessionDep

_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,200}$")
_KEPT_HEADERS = ("location", "etag", "content-type")
_KEY_DOC = "幂等键（8–200 位字母、数字或 ._:-）：重试时携带同一个键，不会重复创建"


class IdempotencyInProgress(Conflict):
    code = "idempotency.in_progress"
    title_zh = "相同的请求正在处理中，请稍后重试"
    title_en = "A request with this Idempotency-Key is still being processed"


class IdempotencyKeyMalformed(Invalid):
    code = "idempotency.key_malformed"
    title_zh = "幂等键格式不正确"
    title_en = "Malformed Idempotency-Key"


class IdempotencyKeyReused(Invalid):
    code = "idempotency.key_reused"
    title_zh = "幂等键已用于另一个不同的请求"
    title_en = "This Idempotency-Key was used for a different request"


class Replay(Exception):
    def __init__(self, stored: StoredResponse) -> None:
        self.stored = stored


def replay_response(stored: StoredResponse) -> Response:
    headers = {**stored.headers, "Idempotent-Replayed": "true"}
    media = headers.pop("content-type", "application/json")
    return Response(stored.body, status_code=stored.status_code, headers=headers, media_type=media)


class Idempotency:
    def __init__(self, session: AsyncSession, store: IdempotencyStore | None, subject: str, key: str | None,
                 request_hash: str, ttl: dt.timedelta) -> None:
        self.session, self.store, self.subject, self.key = session, store, subject, key
        self.request_hash, self.ttl = request_hash, ttl

    async def save(self, response: Response, body: BaseModel, status_code: int) -> None:
        """Store the response the route is about to send, in the request's transaction."""
        if self.key is None or self.store is None:
            return
        content = json.dumps(jsonable_encoder(body), ensure_ascii=False, separators=(",", ":")).encode()
        headers = {k: v for k, v in response.headers.items() if k.lower() in _KEPT_HEADERS}
        headers.setdefault("content-type", "application/json")
        await self.store.save(self.session, self.subject, self.key,
                              StoredResponse(self.request_hash, status_code, headers, content), self.ttl)


async def _request_content(request: Request) -> bytes:
    """What identifies a request's body. A multipart upload is parsed before dependencies
    run (its stream is gone by then), and its boundary differs between retries of the same
    upload, so it counts by its parts: each field's name and value, each file's name,
    media type and bytes, in field order."""
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        return await request.body()
    form = await request.form()  # parsed once per request, then cached
    parts: list[bytes] = []
    for name, value in form.multi_items():
        if isinstance(value, str):
            parts += [b"field", name.encode(), value.encode()]
        else:
            content = await value.read()
            await value.seek(0)
            parts += [b"file", name.encode(), (value.filename or "").encode(),
                      (value.content_type or "").encode(), hashlib.sha256(content).digest()]
    return b"\x00".join(parts)


async def _client_id_key(request: Request) -> str | None:
    """The implicit key of a JSON create that names its own ``id``."""
    if request.method != "POST" or "json" not in request.headers.get("content-type", "").lower():
        return None
    try:
        data = json.loads(await request.body())
        ident = uuid.UUID(data["id"]) if isinstance(data, dict) and isinstance(data.get("id"), str) else None
    except (ValueError, UnicodeDecodeError):
        return None
    return f"id:{ident}" if ident is not None else None


async def idempotency(
    request: Request,
    session: SessionDep,
    principal: Annotated[Principal, Depends(authenticate)],
    key: Annotated[str | None, Header(alias="Idempotency-Key", description=_KEY_DOC)] = None,
) -> Idempotency:
    settings = request.app.state.settings
    ttl = dt.timedelta(hours=getattr(settings, "idempotency_ttl_hours", 168))
    implicit = key is None
    if key is None:
        key = await _client_id_key(request)
        if key is None:
            return Idempotency(session, None, principal.subject, None, "", ttl)
    elif not _KEY.match(key):
        raise IdempotencyKeyMalformed("malformed key", errors=[
            FieldError("header.Idempotency-Key", "key_format", "幂等键须为 8–200 位字母、数字或 ._:-")])
    body = await _request_content(request)
    # Keyed, so a stored hash of a body with a secret in it cannot be guessed offline.
    digest = hmac.new(("idempotency:" + settings.pii_index_key).encode(), b"\n".join(
        [request.method.encode(), request.url.path.encode(), request.url.query.encode(), body]),
        hashlib.sha256).hexdigest()
    store: IdempotencyStore = request.app.state.records.idempotency
    if not await store.try_lock(session, principal.subject, key):
        raise IdempotencyInProgress()
    found = await store.find(session, principal.subject, key)
    if found is not None:
        if found.request_hash != digest:
            if implicit:  # another request with this id: the route says what that means (409)
                return Idempotency(session, None, principal.subject, None, digest, ttl)
            raise IdempotencyKeyReused()
        raise Replay(found)
    return Idempotency(session, store, principal.subject, key, digest, ttl)


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
