"""The demo's consultations load through the use cases (an open renovation menu with ballots from the
three channels, a closed willingness round with its results) and a rerun adds nothing."""

from __future__ import annotations

import httpx
from sqlalchemy import text

from kernel.auth.principal import SYSTEM, DataScope
from kernel.db.session import Database, apply_scope
from kernel.demo_ids import demo_household_id
from services.projects.demo import consultations as demo_consult
from services.projects.demo.seed import REGIONS, load_projects
from services.projects.regions.service import RegionDraft, create_region
from tests.support.auth import bearer

BASE = "/api/v1/projects/consultations"


async def test_demo_consultations_load_once(db: Database, projects: httpx.AsyncClient) -> None:
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope.everything())
        for code, name in REGIONS:
            await create_region(session, SYSTEM, RegionDraft(code=code, name=name))
        await load_projects(session)  # mid-way, with their reason (decision 0021)
        first = await demo_consult.load(session)
        again = await demo_consult.load(session)
        channels: dict[str, int] = {str(r[0]): int(r[1]) for r in (await session.execute(text(
            "SELECT channel, count(*) FROM projects.ballot GROUP BY channel"))).all()}
        changed = (await session.execute(text(
            "SELECT count(*) FROM projects.ballot_log GROUP BY household_id HAVING count(*) > 1"))).all()
    assert first == {"consultations": 2}
    assert again == {"consultations": 0}
    assert channels["app"] >= 5
    assert channels["paper"] >= 5
    assert channels["field"] >= 5
    assert len(changed) == 1

    menu = demo_consult.demo_consultation_id("YY-LJ-2024-002")
    resident1 = bearer("resident", region="430902001001", household=demo_household_id("YY-LJ-2024-002", 1))
    mine = (await projects.get(BASE, headers=resident1)).json()["items"]
    assert [(c["title"], c["status"], c["eligible"], c["my_vote"]["voted"]) for c in mine] == [
        ("汽车路社区老旧小区改造内容“点单”", "open", 40, False)]
    assert [o["label"] for o in mine[0]["options"]] == list(demo_consult.MENU)
    lift = mine[0]["options"][0]["id"]
    voted = await projects.put(f"{BASE}/{menu}/votes/{demo_household_id('YY-LJ-2024-002', 1)}",
                               json={"choices": [lift], "channel": "app"}, headers=resident1)
    assert voted.status_code == 201, voted.text
    resident2 = bearer("resident", region="430902001001", household=demo_household_id("YY-LJ-2024-002", 2))
    assert (await projects.get(f"{BASE}/{menu}", headers=resident2)).json()["my_vote"]["voted"] is True

    closed = (await projects.get(f"{BASE}/{demo_consult.demo_consultation_id('YY-CZC-2025-002')}/results")).json()
    assert (closed["frozen"], closed["eligible"], closed["participants"], closed["support_count"]) == (
        True, 36, 36, 33)
    assert (closed["support_rate"], closed["threshold_met"]) == ("0.9167", True)
