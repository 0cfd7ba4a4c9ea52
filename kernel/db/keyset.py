"""Keyset pagination over any sort keys, dates and expressions (``coalesce``) included: the key
values are selected with the rows and the cursor carries them, typed by kind (date | datetime | uuid |
int). ``kernel.db.repository.Repository.paginate`` covers plain columns."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from kernel.pagination import BadCursor, PageRequest, PageResult, cursor_int, decode_cursor, encode_cursor

M = TypeVar("M", bound=DeclarativeBase)


def _parse(kind: str, raw: str) -> Any:
    try:
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "uuid":
            return uuid.UUID(raw)
        return cursor_int(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor() from exc


async def keyset_page(session: AsyncSession, stmt: Select[tuple[M]],
                      keys: Sequence[tuple[Any, str]], page: PageRequest, *, rows: bool = False) -> PageResult[Any]:
    """Keyset pagination over ``keys`` (expression, kind: date | datetime | uuid | int), ascending, the
    last key unique. The key values are selected with the rows, so expressions (``coalesce``) work.
    ``rows``: answer read-only rows of the entity's columns instead of ORM instances (cheaper to
    load, see ``kernel.db.repository.Repository.paginate_rows``)."""
    exprs = [e for e, _ in keys]
    if page.cursor is not None:
        raw = decode_cursor(page.cursor, len(keys))
        values = [_parse(kind, v) for (_, kind), v in zip(keys, raw, strict=True)]
        clauses = []
        for i, expr in enumerate(exprs):
            clauses.append(and_(*[exprs[j] == values[j] for j in range(i)], expr > values[i]))
        stmt = stmt.where(or_(*clauses))
    if rows:
        entity = stmt.column_descriptions[0]["entity"]
        stmt = stmt.with_only_columns(*entity.__table__.columns, maintain_column_froms=True)
    labelled = stmt.add_columns(*[e.label(f"_k{i}") for i, e in enumerate(exprs)])
    found = list((await session.execute(labelled.order_by(*exprs).limit(page.limit + 1))).all())
    next_cursor = None
    if len(found) > page.limit:
        found = found[: page.limit]
        last_keys = found[-1][-len(keys):]
        next_cursor = encode_cursor([v.isoformat() if isinstance(v, dt.date) else v for v in last_keys])
    return PageResult(items=found if rows else [r[0] for r in found], next_cursor=next_cursor)
