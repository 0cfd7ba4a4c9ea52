"""Bulk look-ups for spreadsheet imports: one query per kind of check, not one per row.

Row-level security applies as everywhere: a project outside the caller's scope is not
found here, exactly as it is not found by the API."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from kernel.auth import DataScope
from kernel.repository import scope_clause
from services.projects.db.models import Project, Region

#: Values per IN (...) list: well below PostgreSQL's 32,767 bind parameters.
CHUNK = 5_000


async def _present(session: AsyncSession, column: InstrumentedAttribute[Any], values: Collection[Any]) -> set[Any]:
    found: set[Any] = set()
    ordered = sorted(values, key=str)
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
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
        ordered = sorted(codes)
        for start in range(0, len(ordered), CHUNK):
            stmt = select(Project).where(Project.code.in_(ordered[start:start + CHUNK]),
                                         scope_clause(scope, Project.region_code, Project.id))
            found.update({p.code: p for p in (await self.session.scalars(stmt)).all()})
        return found

    async def project_codes(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
        """Code by id, for rows already read in the caller's scope."""
        found: dict[uuid.UUID, str] = {}
        ordered = sorted(ids, key=str)
        for start in range(0, len(ordered), CHUNK):
            stmt = select(Project.id, Project.code).where(Project.id.in_(ordered[start:start + CHUNK]))
            found.update({ident: code for ident, code in (await self.session.execute(stmt)).all()})
        return found

    async def taken_ids(self, column: InstrumentedAttribute[Any], ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these ids a table already holds (client-generated ids of tasks, problems)."""
        return await _present(self.session, column, ids)
