"""Keyset pagination beyond ``kernel.db.repository.Repository.paginate``'s plain ascending columns:
over any sort keys, dates and expressions (``coalesce``) included, the key values selected with the
rows and carried by the cursor, typed by kind (``keyset_page``); over one column and the id in either
direction, the cursor naming its sort (``sorted_rows_page``); and the count of what a list selects."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from kernel.db.repository import cursor_value
from kernel.errors import FieldError
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


def _bad_cursor() -> BadCursor:
    return BadCursor(errors=[FieldError("query.cursor", "bad_cursor", "分页游标无效（与本次排序不符或已损坏）")])


async def sorted_rows_page(session: AsyncSession, stmt: Select[Any], columns: Sequence[Any], *, sort: str,
                           key: InstrumentedAttribute[Any], ident: InstrumentedAttribute[uuid.UUID],
                           descending: bool, page: PageRequest) -> PageResult[Any]:
    """Keyset pages of ``stmt`` (rows of ``columns``) ordered by ``key`` then ``ident``, ascending or
    descending (``key`` not null). The cursor is ``[sort, key, id]``: it names its sort, so a cursor
    of one sort handed to another (or to the default sort, whose cursor is a single key) is refused
    as a bad cursor instead of skipping rows."""
    if page.cursor is not None:
        tag, raw_key, raw_id = decode_cursor(page.cursor, 3)
        if tag != sort:
            raise _bad_cursor()
        try:
            after = tuple_(literal(cursor_value(key, raw_key), key.type), literal(uuid.UUID(raw_id), ident.type))
        except ValueError as exc:
            raise _bad_cursor() from exc
        pair = tuple_(key, ident)
        stmt = stmt.where(pair < after if descending else pair > after)
    order = (key.desc(), ident.desc()) if descending else (key.asc(), ident.asc())
    plain = stmt.with_only_columns(*columns, maintain_column_froms=True).order_by(*order).limit(page.limit + 1)
    rows = list((await session.execute(plain)).all())
    next_cursor = None
    if len(rows) > page.limit:
        rows = rows[: page.limit]
        last = rows[-1]
        next_cursor = encode_cursor([sort, getattr(last, key.key), getattr(last, ident.key)])
    return PageResult(items=rows, next_cursor=next_cursor)


async def count_rows(session: AsyncSession, stmt: Select[Any]) -> int:
    """How many rows ``stmt`` (filtered and scoped, not paged) selects."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return int(total or 0)
