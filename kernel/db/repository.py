"""A typed repository base: every query of a service lives in its repositories."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from kernel.auth.principal import DataScope
from kernel.errors import DomainError
from kernel.pagination import PageRequest, PageResult, decode_cursor, encode_cursor

M = TypeVar("M", bound=DeclarativeBase)


class Repository(Generic[M]):
    """Basic persistence for one aggregate. Subclasses set ``model`` and add queries."""

    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, ident: Any) -> M | None:
        return await self.session.get(self.model, ident)

    async def add(self, obj: M) -> M:
        self.session.add(obj)
        await self.session.flush()
        return obj

    async def flush(self) -> None:
        await self.session.flush()

    async def paginate(
        self,
        stmt: Select[tuple[M]],
        order_by: Sequence[InstrumentedAttribute[Any]],
        page: PageRequest,
    ) -> PageResult[M]:
        """Keyset pagination over ``order_by`` (ascending, the last column unique)."""
        if page.cursor is not None:
            raw = decode_cursor(page.cursor, len(order_by))
            values = [cursor_value(col, v) for col, v in zip(order_by, raw, strict=True)]
            stmt = stmt.where(_after(order_by, values))
        stmt = stmt.order_by(*order_by).limit(page.limit + 1)
        rows = list((await self.session.scalars(stmt)).all())
        next_cursor = None
        if len(rows) > page.limit:
            rows = rows[: page.limit]
            last = rows[-1]
            next_cursor = encode_cursor([getattr(last, col.key) for col in order_by])
        return PageResult(items=rows, next_cursor=next_cursor)

    async def paginate_rows(
        self,
        stmt: Select[tuple[M]],
        order_by: Sequence[InstrumentedAttribute[Any]],
        page: PageRequest,
    ) -> PageResult[Any]:
        """As ``paginate``, for reading only: the same query over the model's columns, answered
        as rows (attribute access by column name) instead of ORM instances, which costs a list
        of 50 records about a fifth of its time (docs/decisions/0014). Nothing loaded this way
        can be changed or lazy-load."""
        columns = self.model.__table__.columns
        if page.cursor is not None:
            raw = decode_cursor(page.cursor, len(order_by))
            values = [cursor_value(col, v) for col, v in zip(order_by, raw, strict=True)]
            stmt = stmt.where(_after(order_by, values))
        plain = stmt.with_only_columns(*columns, maintain_column_froms=True)
        rows = list((await self.session.execute(plain.order_by(*order_by).limit(page.limit + 1))).all())
        next_cursor = None
        if len(rows) > page.limit:
            rows = rows[: page.limit]
            last = rows[-1]
            next_cursor = encode_cursor([getattr(last, col.key) for col in order_by])
        return PageResult(items=rows, next_cursor=next_cursor)

    def select(self) -> Select[tuple[M]]:
        return select(self.model)


class ScopedRepository(Repository[M]):
    """Persistence for an aggregate the caller's scope limits. Subclasses set ``model``, ``not_found``
    (the error a missing record raises: out of scope answers the same, so ids leak nothing) and
    ``in_scope`` (the scope as a WHERE clause, usually ``scope_clause`` over the record's region
    and project columns, or a join to the project)."""

    not_found: type[DomainError]

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        raise NotImplementedError

    def scoped(self, scope: DataScope) -> Select[tuple[M]]:
        """``SELECT`` of the model limited to the caller's scope (add filters and order)."""
        return select(self.model).where(self.in_scope(scope))

    async def get_in_scope(self, ident: Any, scope: DataScope, *, lock: bool = False) -> M | None:
        """The record if the caller may see it; ``lock`` takes a row lock for an update."""
        key = self.model.__mapper__.primary_key[0]
        stmt = self.scoped(scope).where(key == ident)
        if lock:
            stmt = stmt.with_for_update(of=self.model)
        return (await self.session.scalars(stmt)).first()

    async def require(self, ident: Any, scope: DataScope, *, lock: bool = False) -> M:
        """The record in the caller's scope, or ``not_found`` (a record outside it answers the same)."""
        found = await self.get_in_scope(ident, scope, lock=lock)
        if found is None:
            raise self.not_found()
        return found


def _after(columns: Sequence[InstrumentedAttribute[Any]], values: Sequence[Any]) -> Any:
    """(c1, c2, ...) > (v1, v2, ...) spelled out so any column types work."""
    clauses = []
    for i, col in enumerate(columns):
        equal_prefix = [columns[j] == values[j] for j in range(i)]
        clauses.append(and_(*equal_prefix, col > values[i]))
    return or_(*clauses)


def cursor_value(column: InstrumentedAttribute[Any], raw: str) -> Any:
    """A cursor's text as the column's value; anything that is not one is a bad cursor."""
    from kernel.pagination import BadCursor  # local: error type lives with pagination

    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return raw
    try:
        if python_type is uuid.UUID:
            return uuid.UUID(raw)
        if python_type.__name__ == "datetime":
            import datetime as dt

            return dt.datetime.fromisoformat(raw)
        if python_type is int:
            from kernel.pagination import cursor_int

            return cursor_int(raw)
        return python_type(raw)
    except (ValueError, TypeError) as exc:
        raise BadCursor() from exc


def scope_clause(scope: DataScope, region_column: Any, project_column: Any = None) -> ColumnElement[bool]:
    """The caller's scope as a WHERE clause: lists are filtered in the query, never after."""
    if scope.unrestricted:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if scope.region_prefix:
        clauses.append(region_column.startswith(scope.region_prefix, autoescape=True))
    if scope.project_ids and project_column is not None:
        clauses.append(project_column.in_(sorted(scope.project_ids)))
    return or_(*clauses) if clauses else false()
