"""The demo's tasks, problems and supervision items load through the use cases and a rerun adds nothing."""

from __future__ import annotations

from sqlalchemy import text

from kernel import calendar
from kernel.auth.principal import SYSTEM, DataScope
from kernel.db.session import Database, apply_scope
from services.projects.demo import work as demo_work
from services.projects.demo.seed import REGIONS, load_projects
from services.projects.regions.service import RegionDraft, create_region


async def test_demo_work_loads_once(db: Database) -> None:
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope.everything())
        for code, name in REGIONS:
            await create_region(session, SYSTEM, RegionDraft(code=code, name=name))
        await load_projects(session)  # mid-way, with their reason (decision 0021)
        first = await demo_work.load(session)
        again = await demo_work.load(session)

        async def scalar(sql: str) -> int:
            return int((await session.execute(text(sql))).scalar_one())

        today = calendar.today()
        overdue_tasks = await scalar(
            f"SELECT count(*) FROM projects.task WHERE status IN ('not_started', 'in_progress') "
            f"AND planned_end < DATE '{today}'")
        overdue_problems = await scalar(
            f"SELECT count(*) FROM projects.problem WHERE status = 'open' AND deadline < DATE '{today}'")
        closed_with_evidence = await scalar(
            "SELECT count(DISTINCT problem_id) FROM projects.problem_evidence")
        documents = await scalar("SELECT count(*) FROM projects.work_document")
        escalated = await scalar("SELECT count(*) FROM projects.supervision_item WHERE source = 'overdue_problem'")
        published = await scalar("SELECT count(*) FROM projects.supervision_item WHERE status = 'closed' "
                                 "AND source <> 'overdue_problem'")
        planned = await scalar("SELECT count(*) FROM projects.task WHERE plan_target = DATE '2027-03-31'")
    assert first["tasks"] >= 10
    assert first["problems"] >= 8
    assert first["supervision_items"] >= 4
    assert first["escalated_problems"] == escalated == overdue_problems >= 3
    assert again == {"tasks": 0, "problems": 0, "supervision_items": 0, "escalated_problems": 0}
    assert overdue_tasks >= 2
    assert closed_with_evidence == 2
    assert documents >= 3
    assert published == 1
    assert planned == 4
