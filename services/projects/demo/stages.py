"""Demo data: the stage plans (倒排的阶段节点) of the key demo projects. Loaded by
``demo.seed_demo`` after regions and projects, in the same transaction, through the
use cases; idempotent (a project that has a plan is left alone)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import Stage
from kernel.auth.principal import SYSTEM
from kernel.demo_ids import demo_project_id
from services.projects.stages.repository import StagePlanRepository
from services.projects.stages.service import plan_stages

D = dt.date
PLANS: dict[str, dict[Stage, tuple[dt.date, dt.date]]] = {
    # 桃花仑片区棚改: in signing; the command wants every agreement signed by the end of March 2027.
    "YY-PG-2022-003": {
        Stage.consultation: (D(2026, 3, 1), D(2026, 4, 30)),
        Stage.decision: (D(2026, 5, 6), D(2026, 6, 15)),
        Stage.survey: (D(2026, 6, 16), D(2026, 8, 31)),
        Stage.signing: (D(2026, 9, 1), D(2027, 3, 31)),
        Stage.moving: (D(2027, 1, 1), D(2027, 5, 31)),
        Stage.demolition: (D(2027, 4, 1), D(2027, 7, 31)),
        Stage.cleared: (D(2027, 8, 1), D(2027, 8, 31)),
        Stage.land_handed_over: (D(2027, 9, 1), D(2027, 9, 30)),
    },
    # 资江南岸棚户区改造: demolishing, to be cleared before the end of the year.
    "YY-PG-2023-004": {
        Stage.signing: (D(2025, 9, 1), D(2026, 3, 31)),
        Stage.moving: (D(2026, 2, 1), D(2026, 6, 30)),
        Stage.demolition: (D(2026, 7, 1), D(2026, 11, 30)),
        Stage.cleared: (D(2026, 12, 1), D(2026, 12, 31)),
        Stage.land_handed_over: (D(2027, 1, 4), D(2027, 2, 26)),
        Stage.land_supplied: (D(2027, 3, 1), D(2027, 6, 30)),
    },
    # 汽车路街道老旧小区改造: residents choose what to renovate (“点单”), works start in spring.
    "YY-LJ-2024-002": {
        Stage.consultation: (D(2026, 10, 15), D(2026, 12, 15)),
        Stage.construction: (D(2027, 3, 1), D(2027, 10, 31)),
        Stage.completed: (D(2027, 11, 1), D(2027, 11, 30)),
        Stage.delivered: (D(2027, 12, 1), D(2027, 12, 31)),
    },
    # 古杨家园城中村改造: survey under way.
    "YY-CZC-2023-001": {
        Stage.survey: (D(2026, 8, 1), D(2026, 12, 31)),
        Stage.signing: (D(2027, 1, 4), D(2027, 6, 30)),
    },
}


async def load(session: AsyncSession) -> dict[str, int]:
    added = 0
    for code, plan in PLANS.items():
        pid = demo_project_id(code)
        if await StagePlanRepository(session).has_plan(pid):
            continue
        await plan_stages(session, SYSTEM, pid, dict(plan), None)
        added += 1
    return {"stage_plans": added}
