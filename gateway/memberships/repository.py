"""Queries of the task-force memberships."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.database import PROJECTS
from gateway.memberships.models import TaskForceMembership
from kernel.db.upsert import upsert_newest


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, rows: list[tuple[uuid.UUID, str | None, uuid.UUID, bool, int]]) -> None:
        """(member id, username, project, current, version); an older version than the one held is ignored."""
        await upsert_newest(self.session, TaskForceMembership, [
            {"member_id": m, "username": u, "project_id": p, "current": c, "version": v} for m, u, p, c, v in rows],
            key="member_id", touched="updated_at")

    async def current_projects(self, username: str) -> list[uuid.UUID]:
        stmt = select(TaskForceMembership.project_id).where(TaskForceMembership.username == username,
                                                           TaskForceMembership.current.is_(True))
        return list((await self.session.scalars(stmt)).all())


class ProjectDirectoryRepository:
    """Where the projects the gateway knows of are (``gateway.project_ref``)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def regions_of(self, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        """The region of each known project among ``ids`` (unknown ones are left out)."""
        if not ids:
            return {}
        table = PROJECTS.table
        rows = await self.session.execute(select(table.c.id, table.c.region_code).where(table.c.id.in_(ids)))
        return {row.id: row.region_code for row in rows}
