"""Request ids: taken from ``X-Request-ID`` when the caller sends a sane one,
made up otherwise; kept in a context variable for logs, problems and
downstream calls (see ``kernel.observability`` for the middleware)."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

REQUEST_ID_HEADER = "x-request-id"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_or_new(value: str | None) -> str:
    return value if value and _SANE.match(value) else new_request_id()


def bind_request_id(rid: str) -> Token[str | None]:
    return _request_id.set(rid)


def reset_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


def current_client_ip() -> str | None:
    return _client_ip.get()


def bind_client_ip(ip: str | None) -> Token[str | None]:
    return _client_ip.set(ip)


def reset_client_ip(token: Token[str | None]) -> None:
    _client_ip.reset(token)
