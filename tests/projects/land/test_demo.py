"""The demo's parcels load through the use cases, a sale emits land-sale income, and a rerun adds nothing."""

from __future__ import annotations

from sqlalchemy import text

from kernel.auth.principal import SYSTEM, DataScope
from kernel.db.session import Database, apply_scope
from services.projects.demo import land as demo_land
from services.projects.demo.seed import REGIONS, load_projects
from services.projects.regions.service import RegionDraft, create_region


async def test_demo_parcels_load_once(db: Database) -> None:
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope.everything())
        for code, name in REGIONS:
            await create_region(session, SYSTEM, RegionDraft(code=code, name=name))
        await load_projects(session)  # mid-way, with their reason (decision 0021)
        first = await demo_land.load(session)
        again = await demo_land.load(session)
        rows = (await session.execute(text(
            "SELECT p.code, p.status FROM projects.parcel p JOIN projects.project j ON j.id = p.project_id "
            "ORDER BY j.code, p.code"))).all()
        sold = (await session.execute(text(
            "SELECT payload->>'amount', payload->>'buyer' FROM projects.outbox_event "
            "WHERE type = 'projects.parcel.sold'"))).all()
        withdrawals = (await session.execute(text(
            "SELECT count(*) FROM projects.parcel_history WHERE action = 'withdraw'"))).scalar_one()
    assert first == {"parcels": 4}
    assert again == {"parcels": 0}
    assert [tuple(r) for r in rows] == [
        ("YYHS(2023)-017", "sold"), ("YYHS(2024)-009", "listed"), ("YYHS(2025)-004", "handed_over"),
        ("YYZY(2025)-012", "cleared")]
    assert [tuple(r) for r in sold] == [("172800000.00", "益阳碧桂园房地产开发有限公司")]
    assert withdrawals == 1
