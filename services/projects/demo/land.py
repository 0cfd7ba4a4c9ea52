"""Demo data: land parcels (地块) and their supply (交地, 挂牌, 成交). Loaded by ``demo.seed_demo`` after
regions and projects, in the same transaction, through the use cases; idempotent (a rerun adds
nothing)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import SYSTEM
from kernel.demo_ids import DEMO_NAMESPACE, demo_project_id
from services.projects.land.repository import ParcelRepository
from services.projects.land.rules import ParcelAction, PlannedUse, WithdrawalReason
from services.projects.land.service import ParcelDraft, ParcelStep, create_parcel, step_parcel

VENUE = "益阳市公共资源交易中心"


@dataclass(frozen=True, slots=True)
class DemoParcel:
    project: str
    code: str
    name: str
    use: PlannedUse
    cleared_on: dt.date
    area_mu: Decimal | None = None
    area_m2: Decimal | None = None
    steps: tuple[ParcelStep, ...] = ()


def _d(value: str) -> Decimal:
    return Decimal(value)


PARCELS: tuple[DemoParcel, ...] = (
    DemoParcel("YY-PG-2021-001", "YYHS(2023)-017", "益阳大道东片区 A-1 地块", PlannedUse.commercial_residential,
               dt.date(2023, 3, 28), area_mu=_d("58.60"), steps=(
                   ParcelStep(ParcelAction.hand_over, dt.date(2023, 5, 12)),
                   ParcelStep(ParcelAction.list, dt.date(2023, 8, 21), starting_price=_d("146000000.00"), venue=VENUE),
                   ParcelStep(ParcelAction.sell, dt.date(2023, 9, 20), buyer="益阳碧桂园房地产开发有限公司",
                              price=_d("172800000.00")),
               )),
    DemoParcel("YY-PG-2021-001", "YYHS(2024)-009", "益阳大道东片区 A-2 地块", PlannedUse.residential,
               dt.date(2024, 4, 8), area_m2=_d("41266.87"), steps=(
                   ParcelStep(ParcelAction.hand_over, dt.date(2024, 6, 3)),
                   ParcelStep(ParcelAction.list, dt.date(2024, 10, 15), starting_price=_d("98000000.00"), venue=VENUE),
                   ParcelStep(ParcelAction.withdraw, dt.date(2024, 11, 14), reason=WithdrawalReason.failed_auction,
                              note="无人报名，流拍"),
                   ParcelStep(ParcelAction.list, dt.date(2025, 9, 1), starting_price=_d("86500000.00"), venue=VENUE),
               )),
    DemoParcel("YY-PG-2021-001", "YYHS(2025)-004", "益阳大道东片区 B-1 地块（学校用地）", PlannedUse.public_service,
               dt.date(2025, 2, 26), area_mu=_d("24.30"), steps=(
                   ParcelStep(ParcelAction.hand_over, dt.date(2025, 4, 18)),
               )),
    DemoParcel("YY-PG-2023-004", "YYZY(2025)-012", "资江南岸片区 1 号地块", PlannedUse.commercial,
               dt.date(2025, 10, 30), area_mu=_d("37.15")),
)


def demo_parcel_id(code: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"parcel:{code}")


async def load(session: AsyncSession) -> dict[str, int]:
    """Returns how many records of each kind were added."""
    repo = ParcelRepository(session)
    added = 0
    for p in PARCELS:
        if await repo.code_taken(p.code):
            continue
        parcel = await create_parcel(session, SYSTEM, ParcelDraft(
            project_id=demo_project_id(p.project), code=p.code, name=p.name, planned_use=p.use,
            cleared_on=p.cleared_on, area_mu=p.area_mu, area_m2=p.area_m2, id=demo_parcel_id(p.code)))
        for step in p.steps:
            parcel = await step_parcel(session, SYSTEM, parcel.id, step, parcel.version)
        added += 1
    return {"parcels": added}
