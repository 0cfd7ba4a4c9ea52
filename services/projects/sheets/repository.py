"""Bulk look-ups for spreadsheet imports: one query per kind of check, not one per row.

Row-level security applies as everywhere: a project outside the caller's scope is not
found here, exactly as it is not found by the API. The records a sheet's rows would
update are read as rows (column values, attribute access by name), not as ORM instances:
nothing enters the session, so the update use case later loads (and locks) each record
itself, exactly as for an API update."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kernel.auth.principal import DataScope
from kernel.db.repository import scope_clause
from services.projects.problems.models import ProblemRecord
from services.projects.regions.models import Region
from services.projects.registry.models import Project
from services.projects.tasks.models import Task

#: Values per IN (...) list: well below PostgreSQL's 32,767 bind parameters.
CHUNK = 5_000


def _chunks(values: Collection[Any]) -> Iterator[list[Any]]:
    """The values in a stable order, CHUNK at a time (one IN (...) list each)."""
    ordered = sorted(values, key=str)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start:start + CHUNK]


async def _present(session: AsyncSession, column: InstrumentedAttribute[Any], values: Collection[Any]) -> set[Any]:
    found: set[Any] = set()
    for chunk in _chunks(values):
        found |= set((await session.scalars(select(column).where(column.in_(chunk)))).all())
    return found


class SheetLookups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def existing_regions(self, codes: Collection[str]) -> set[str]:
        return await _present(self.session, Region.code, codes)

    async def taken_project_codes(self, codes: Collection[str]) -> set[str]:
        return await _present(self.session, Project.code, codes)

    async def taken_project_ids(self, ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        return await _present(self.session, Project.id, ids)

    async def projects_by_code(self, codes: Collection[str], scope: DataScope) -> dict[str, Project]:
        """The projects with these codes that the caller may see."""
        found: dict[str, Project] = {}
        for chunk in _chunks(codes):
            stmt = select(Project).where(Project.code.in_(chunk), scope_clause(scope, Project.region_code, Project.id))
            found.update({p.code: p for p in (await self.session.scalars(stmt)).all()})
        return found

    async def project_labels(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
        """(code, name) by id, for rows already read in the caller's scope."""
        found: dict[uuid.UUID, tuple[str, str]] = {}
        for chunk in _chunks(ids):
            stmt = select(Project.id, Project.code, Project.name).where(Project.id.in_(chunk))
            found.update({ident: (code, name) for ident, code, name in (await self.session.execute(stmt)).all()})
        return found

    async def taken_ids(self, column: InstrumentedAttribute[Any], ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these ids a table already holds (client-generated ids of tasks, problems)."""
        return await _present(self.session, column, ids)

    async def visible_projects(self, ids: Collection[uuid.UUID], scope: DataScope) -> dict[uuid.UUID, Any]:
        """The projects with these ids that the caller may see, as rows (without the geometry)."""
        columns = [c for c in Project.__table__.columns if c.key != "geometry"]
        stmt = select(*columns).where(scope_clause(scope, Project.region_code, Project.id))
        return await self._rows_by_id(stmt, Project.id, ids)

    async def visible_tasks(self, ids: Collection[uuid.UUID], scope: DataScope) -> dict[uuid.UUID, Any]:
        """The tasks with these ids that the caller may see, as rows with their project's code and name."""
        stmt = (select(*Task.__table__.columns, Project.code.label("project_code"), Project.name.label("project_name"))
                .join(Project, Project.id == Task.project_id)
                .where(scope_clause(scope, Project.region_code, Project.id)))
        return await self._rows_by_id(stmt, Task.id, ids)

    async def visible_problems(self, ids: Collection[uuid.UUID], scope: DataScope) -> dict[uuid.UUID, Any]:
        """The problems with these ids that the caller may see, as rows with their project's code and name."""
        stmt = (select(*ProblemRecord.__table__.columns, Project.code.label("project_code"),
                       Project.name.label("project_name"))
                .join(Project, Project.id == ProblemRecord.project_id)
                .where(scope_clause(scope, Project.region_code, Project.id)))
        return await self._rows_by_id(stmt, ProblemRecord.id, ids)

    async def _rows_by_id(self, stmt: Select[Any], column: InstrumentedAttribute[uuid.UUID],
                          ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Any]:
        found: dict[uuid.UUID, Any] = {}
        for chunk in _chunks(ids):
            rows = (await self.session.execute(stmt.where(column.in_(chunk)))).all()
            found.update({row.id: row for row in rows})
        return found
