"""The project directory every other service keeps: a read model of the projects
service's projects (code, name, type, region, stage), fed by its
``projects.project.changed`` events, used for scope and validation instead of
calling the projects service. Each service holds its own copy in its own schema."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Uuid, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.events import BatchHandler, EventEnvelope, EventPayload, Handler


class ProjectChanged(EventPayload):
    """A project was registered or changed (stage included)."""

    event_type: ClassVar[str] = "projects.project.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    code: str
    name: str
    type: str
    land_path: str
    region_code: str
    stage: str
    version: int = Field(description="项目的版本号：消费方只接受更新的版本")


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
    def __init__(self, table: Table) -> None:
        self.table = table

    async def on_project_changed(self, session: AsyncSession, event: EventEnvelope) -> None:
        await self.on_projects_changed(session, [event])

    async def on_projects_changed(self, session: AsyncSession, events: list[EventEnvelope]) -> None:
        """One upsert for many; an older version than the one held is ignored (replays,
        reorderings), and within a batch only each project's newest version is written."""
        newest: dict[uuid.UUID, ProjectChanged] = {}
        for event in events:
            p = ProjectChanged.model_validate(event.payload)
            if p.id not in newest or newest[p.id].version < p.version:
                newest[p.id] = p
        if not newest:
            return
        t = self.table
        stmt = insert(t).values([
            {"id": p.id, "code": p.code, "name": p.name, "type": p.type, "region_code": p.region_code,
             "stage": p.stage, "version": p.version} for p in newest.values()])
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.id], where=t.c.version < stmt.excluded.version,
            set_={c: stmt.excluded[c] for c in ("code", "name", "type", "region_code", "stage", "version")}
            | {"updated_at": func.now()})
        await session.execute(stmt)

    async def get(self, session: AsyncSession, project_id: uuid.UUID) -> dict[str, object] | None:
        row = (await session.execute(select(self.table).where(self.table.c.id == project_id))).mappings().first()
        return dict(row) if row else None

    @property
    def handlers(self) -> dict[str, Handler]:
        return {ProjectChanged.event_type: self.on_project_changed}

    @property
    def batch_handlers(self) -> dict[str, BatchHandler]:
        return {ProjectChanged.event_type: self.on_projects_changed}
