"""Queries of the task-force memberships."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
