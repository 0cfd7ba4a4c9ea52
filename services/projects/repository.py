"""Query helpers the slices' repositories share (no table of their own): keyset pagination whose sort
keys may be dates or expressions, the caller's scope spelled over the project a record belongs to, and
the base of the repositories of such records (``ProjectScopedRepository``).

Lists use keyset pagination on (sort key, id); sort keys may be dates, which the kernel's generic
paginator (``kernel.db.repository.Repository.paginate``) does not decode, hence ``keyset_page`` here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from kernel.auth.principal import DataScope
from kernel.db.repository import ScopedRepository, scope_clause
from kernel.errors import FieldError
from kernel.pagination import BadCursor, PageRequest, PageResult, decode_cursor, encode_cursor
from services.projects.registry.models import Project

M = TypeVar("M", bound=DeclarativeBase)


def project_in_scope(scope: DataScope) -> ColumnElement[bool]:
    """The caller's scope over ``Project`` (a query joins the project of its records)."""
    return scope_clause(scope, Project.region_code, Project.id)


class ProjectScopedRepository(ScopedRepository[M]):
    """Persistence for records that belong to a project (tasks, problems, supervision items, documents...):
    one is in the caller's scope when its project is, so the look-ups join the project. Subclasses set
    ``model``, ``not_found`` and ``project_key`` (the record's project column, e.g. ``Task.project_id``)."""

    project_key: InstrumentedAttribute[uuid.UUID]

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        """The scope over the joined project (``scoped`` joins it)."""
        return project_in_scope(scope)

    def scoped(self, scope: DataScope) -> Select[tuple[M]]:
        # The column is read off the class: through an instance SQLAlchemy would look for a mapped row.
        return select(self.model).join(Project, Project.id == type(self).project_key).where(self.in_scope(scope))


def _bad_cursor() -> BadCursor:
    return BadCursor(errors=[FieldError("query.cursor", "bad_cursor", "分页游标无效（与本次排序不符或已损坏）")])


def _cursor_value(column: InstrumentedAttribute[Any], raw: str) -> Any:
    try:
        if column.type.python_type is dt.datetime:
            return dt.datetime.fromisoformat(raw)
        if column.type.python_type is uuid.UUID:
            return uuid.UUID(raw)
    except ValueError as exc:
        raise _bad_cursor() from exc
    return raw


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
            after = tuple_(literal(_cursor_value(key, raw_key), key.type), literal(uuid.UUID(raw_id), ident.type))
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
