"""The project directory every other service keeps: a read model of the projects
service's projects (code, name, type, region, stage), fed by its
``projects.project.changed`` events, used for scope and validation instead of
calling the projects service. Each service holds its own copy in its own schema."""

from __future__ import annotations

import uuid

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Uuid, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.db.upsert import upsert_newest
from kernel.events.envelope import BatchHandler, EventEnvelope, EventPayload, Handler


def project_directory_table(metadata: MetaData) -> Table:
    return Table(
        "project_ref", metadata,
        Column("id", Uuid, primary_key=True),
        Column("code", String(32), nullable=False),
        Column("name", String(200), nullable=False),
        Column("type", String(32), nullable=False),
        Column("region_code", String(12), nullable=False, index=True),
        Column("stage", String(32), nullable=False),
        Column("version", Integer, nullable=False),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )


class ProjectDirectory:
    """The read model of the projects' directory. ``payload`` is the producer's contract
    (``contracts.projects.ProjectChanged``): the kernel holds only the mechanism."""

    COLUMNS = ("id", "code", "name", "type", "region_code", "stage", "version")

    def __init__(self, table: Table, payload: type[EventPayload]) -> None:
        self.table = table
        self.payload = payload

    async def on_project_changed(self, session: AsyncSession, event: EventEnvelope) -> None:
        await self.on_projects_changed(session, [event])

    async def on_projects_changed(self, session: AsyncSession, events: list[EventEnvelope]) -> None:
        """One upsert for many; an older version than the one held is ignored (replays, reorderings)."""
        rows = [self.payload.model_validate(e.payload).model_dump(include=set(self.COLUMNS)) for e in events]
        await upsert_newest(session, self.table, rows, key="id", touched="updated_at")

    async def get(self, session: AsyncSession, project_id: uuid.UUID) -> dict[str, object] | None:
        row = (await session.execute(select(self.table).where(self.table.c.id == project_id))).mappings().first()
        return dict(row) if row else None

    @property
    def handlers(self) -> dict[str, Handler]:
        return {self.payload.event_type: self.on_project_changed}

    @property
    def batch_handlers(self) -> dict[str, BatchHandler]:
        return {self.payload.event_type: self.on_projects_changed}
