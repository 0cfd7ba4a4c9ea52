"""The command structure's demo data loads through the use cases and is idempotent."""

from __future__ import annotations

from kernel.auth.principal import SYSTEM, DataScope
from kernel.db.session import Database, apply_scope
from kernel.demo_ids import demo_project_id
from services.projects.demo import command as demo_command
from services.projects.demo.seed import REGIONS, load_projects
from services.projects.regions.service import RegionDraft, create_region
from services.projects.registry.service import get_project


async def test_demo_loads_once(db: Database, count) -> None:
    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        for code, name in REGIONS:
            await create_region(session, SYSTEM, RegionDraft(code=code, name=name))
        await load_projects(session)  # mid-way, with their reason (decision 0021)
        first = await demo_command.load(session)
        assert first["command_units"] == len(demo_command.UNITS) + len(demo_command.FORCES)
        assert first["people"] == len(demo_command.PEOPLE)
        assert first["taskforce_members"] == sum(len(f.members) for f in demo_command.FORCES)
        assert first["projects_completed"] == len(demo_command.PROJECT_DETAILS)
        assert set((await demo_command.load(session)).values()) == {0}
        peng_gai = await get_project(session, SYSTEM, demo_project_id("YY-PG-2022-003"))
        assert peng_gai.task_force_id is not None
        assert peng_gai.legal_basis == "affordable_housing"
        assert peng_gai.geometry is not None
        assert peng_gai.geometry["type"] == "Polygon"
        await session.commit()
    assert await count("projects.taskforce_member",
                       "gateway_username = 'taohualun.taskforce_member' AND project_id = :p",
                       p=demo_project_id("YY-PG-2022-003")) == 1
    assert await count("projects.responsibility", "level <> 'staff'") == 3 * len(demo_command.FORCES)
    assert await count("projects.person", "phone_enc LIKE '%1380737%'") == 0
