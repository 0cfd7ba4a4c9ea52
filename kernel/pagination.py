"""Cursor (keyset) pagination with a bounded page size.

A cursor is opaque to clients: url-safe base64 of the sort key of the last
row returned. Pages are stable under inserts, and cost the same at any depth.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from kernel.errors import FieldError, Invalid

T = TypeVar("T")


class BadCursor(Invalid):
    code = "pagination.bad_cursor"
    title_zh = "分页游标无效"
    title_en = "Invalid pagination cursor"


class PageTooLarge(Invalid):
    code = "pagination.limit_out_of_range"
    title_zh = "每页条数超出允许范围"
    title_en = "Page size out of range"


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps([str(k) for k in key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(errors=[FieldError("query.cursor", "bad_cursor", "分页游标无效")]) from exc
    if not isinstance(value, list) or len(value) != width or not all(isinstance(v, str) for v in value):
        raise BadCursor(errors=[FieldError("query.cursor", "bad_cursor", "分页游标无效")])
    if any(len(v) > 200 or any(ord(ch) < 0x20 for ch in v) for v in value):  # NUL and other controls
        raise BadCursor(errors=[FieldError("query.cursor", "bad_cursor", "分页游标无效")])
    return value


#: The range of a PostgreSQL ``bigint`` (ids, counters): a cursor value outside it is no position.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def cursor_int(raw: str) -> int:
    """An integer key of a cursor, within ``bigint``; anything else is a bad cursor."""
    if not raw.lstrip("-").isdigit() or not BIGINT_MIN <= int(raw) <= BIGINT_MAX:
        raise BadCursor(errors=[FieldError("query.cursor", "bad_cursor", "分页游标无效")])
    return int(raw)


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    cursor: str | None = None


@dataclass(frozen=True, slots=True)
class PageResult(Generic[T]):
    items: list[T]
    next_cursor: str | None


class Page(BaseModel, Generic[T]):
    """One page of a list. ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None = Field(default=None, description="下一页游标；为空表示已是最后一页")
