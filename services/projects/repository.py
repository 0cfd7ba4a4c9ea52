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

from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from kernel.auth.principal import DataScope
from kernel.db.repository import ScopedRepository, scope_clause
from kernel.pagination import BadCursor, PageRequest, PageResult, decode_cursor, encode_cursor
from services.projects.registry.models import Project

M = TypeVar("M", bound=DeclarativeBase)


def _parse(kind: str, raw: str) -> Any:
    try:
        if kind == "date":
            return dt.date.fromisoformat(raw)
        if kind == "datetime":
            return dt.datetime.fromisoformat(raw)
        if kind == "uuid":
            return uuid.UUID(raw)
        return int(raw)
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


def project_in_scope(scope: DataScope) -> ColumnElement[bool]:
    """The caller's scope over ``Project`` (a query joins the project of its records)."""
    return scope_clause(scope, Project.region_code, Project.id)


class ProjectScopedRepository(ScopedRepository[M]):
    """Persistence for records that belong to a project (tasks, problems, supervision items, documents):
    one is in the caller's scope when its project is, so the look-ups join the project. Subclasses set
    ``model``, ``not_found`` and ``project_key`` (the record's project column, e.g. ``Task.project_id``)."""

    project_key: InstrumentedAttribute[uuid.UUID]

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        """The scope over the joined project (``scoped`` joins it)."""
        return project_in_scope(scope)

    def scoped(self, scope: DataScope) -> Select[tuple[M]]:
        # The column is read off the class: through an instance SQLAlchemy would look for a mapped row.
        return select(self.model).join(Project, Project.id == type(self).project_key).where(self.in_scope(scope))
