"""Queries of a project's stages: its stage plan, its history, and the facts of the stage
gates this service records in other slices' tables (approval tasks, consultations, parcels).
What relocation and funding report comes through ``feeds``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.db.repository import Repository
from services.projects.consultations.models import Consultation
from services.projects.land.models import Parcel
from services.projects.stages.models import StagePlan, StageTransition
from services.projects.tasks.models import Task


class StagePlanRepository(Repository[StagePlan]):
    model = StagePlan

    async def of_project(self, project_id: uuid.UUID) -> dict[str, StagePlan]:
        """The project's plan rows, by stage."""
        rows = (await self.session.scalars(select(StagePlan).where(StagePlan.project_id == project_id))).all()
        return {r.stage: r for r in rows}

    async def has_plan(self, project_id: uuid.UUID) -> bool:
        found = await self.session.scalar(select(StagePlan.project_id).where(StagePlan.project_id == project_id)
                                          .limit(1))
        return bool(found)


class TransitionRepository(Repository[StageTransition]):
    model = StageTransition

    async def of_project(self, project_id: uuid.UUID) -> list[StageTransition]:
        rows = await self.session.scalars(select(StageTransition).where(StageTransition.project_id == project_id)
                                          .order_by(StageTransition.at, StageTransition.id))
        return list(rows.all())


class GateRepository:
    """The gate facts kept in this service's other slices."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def done_task_kinds(self, project_id: uuid.UUID, kinds: Sequence[str]) -> Sequence[str]:
        """Which of these kinds of task the project has done."""
        return (await self.session.execute(
            select(Task.kind).where(Task.project_id == project_id, Task.status == "done",
                                    Task.kind.in_(tuple(kinds))))).scalars().all()

    async def parcels_by_status(self, project_id: uuid.UUID) -> dict[str, int]:
        rows = (await self.session.execute(
            select(Parcel.status, func.count()).where(Parcel.project_id == project_id)
            .group_by(Parcel.status))).all()
        return {status: n for status, n in rows}

    async def last_closed_result(self, project_id: uuid.UUID, kinds: Sequence[str]) -> dict[str, Any] | None:
        """The result of the project's last closed consultation of these kinds (None: none closed)."""
        return await self.session.scalar(
            select(Consultation.result).where(Consultation.project_id == project_id,
                                              Consultation.status == "closed", Consultation.kind.in_(tuple(kinds)))
            .order_by(Consultation.closed_at.desc()).limit(1))
