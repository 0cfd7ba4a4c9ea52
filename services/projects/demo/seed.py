"""Demo data for the local run: 益阳市, its districts and sub-districts, and a
dozen renewal projects named after the source material. Loaded through the
use cases (so every rule applies) and idempotent: rerunning adds nothing."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import LandPath, ProjectType, Stage
from kernel.auth.principal import SYSTEM, DataScope
from kernel.db.session import apply_scope, make_database
from kernel.demo_ids import demo_project_id
from services.projects.regions.repository import RegionRepository
from services.projects.regions.service import RegionDraft, create_region
from services.projects.registry.repository import ProjectRepository
from services.projects.registry.rules import bulk_claim
from services.projects.registry.service import ProjectDraft, create_project
from services.projects.settings import ProjectsSettings

__all__ = ["PROJECTS", "REGIONS", "demo_project_id", "seed_demo"]

log = structlog.get_logger("demo")

# Parents before children. County and province codes are the real ones; the
# township and community digits are illustrative.
REGIONS: list[tuple[str, str]] = [
    ("430000000000", "湖南省"),
    ("430900000000", "益阳市"),
    ("430902000000", "资阳区"),
    ("430903000000", "赫山区"),
    ("430971000000", "益阳高新技术产业开发区"),
    ("430902001000", "汽车路街道"),
    ("430902002000", "大码头街道"),
    ("430902003000", "长春镇"),
    ("430903001000", "桃花仑街道"),
    ("430903002000", "金银山街道"),
    ("430903003000", "会龙山街道"),
    ("430903004000", "龙光桥街道"),
    ("430971001000", "朝阳街道"),
    ("430971002000", "龙岭街道"),
    ("430903001001", "梓山湖社区"),
    ("430903001002", "桃花仑社区"),
    ("430903002001", "益阳大道社区"),
    ("430903002002", "古杨社区"),
    ("430903003001", "龙洲社区"),
    ("430902001001", "汽车路社区"),
    ("430902002001", "大码头社区"),
    ("430971002001", "龙岭村"),
]


def _d(value: str) -> Decimal:
    return Decimal(value)


PROJECTS: list[ProjectDraft] = [
    ProjectDraft("YY-PG-2021-001", "益阳大道东片区棚户区改造", ProjectType.shantytown, LandPath.state,
                 "430903002001", "益阳大道东片区", 1860, _d("215000.00"), _d("850.00"), _d("6800000000.00"),
                 Stage.construction),
    ProjectDraft("YY-PG-2021-002", "市委机关二院棚户区改造", ProjectType.shantytown, LandPath.state,
                 "430903003000", "市委机关二院", 326, _d("28600.00"), _d("42.50"), _d("980000000.00"),
                 Stage.completed),
    ProjectDraft("YY-PG-2022-003", "桃花仑片区棚改", ProjectType.shantytown, LandPath.state,
                 "430903001002", "桃花仑片区", 1240, _d("132500.00"), _d("386.00"), _d("3650000000.00"),
                 Stage.signing),
    ProjectDraft("YY-CZC-2023-001", "古杨家园城中村改造", ProjectType.urban_village, LandPath.collective,
                 "430903002002", "古杨片区", 512, _d("76800.00"), _d("210.00"), _d("1450000000.00"),
                 Stage.survey),
    ProjectDraft("YY-PG-2023-004", "资江南岸棚户区改造", ProjectType.shantytown, LandPath.state,
                 "430902002001", "资江南岸片区", 688, _d("61200.00"), _d("155.00"), _d("1720000000.00"),
                 Stage.demolition),
    ProjectDraft("YY-ZS-2023-002", "火车站片区征收拆迁", ProjectType.expropriation, LandPath.state,
                 "430902001000", "火车站片区", 435, _d("48900.00"), _d("98.00"), _d("1160000000.00"),
                 Stage.moving),
    ProjectDraft("YY-LJ-2024-001", "会龙山街道龙洲小区老旧小区改造", ProjectType.old_compound, LandPath.state,
                 "430903003001", None, 960, _d("84300.00"), None, _d("86000000.00"), Stage.construction),
    ProjectDraft("YY-LJ-2024-002", "汽车路街道老旧小区改造", ProjectType.old_compound, LandPath.state,
                 "430902001001", None, 1420, _d("112600.00"), None, _d("124000000.00"), Stage.consultation),
    ProjectDraft("YY-LS-2024-001", "大码头历史文化街区保护提升", ProjectType.historic_block, LandPath.state,
                 "430902002000", "大码头片区", 214, _d("23400.00"), _d("36.00"), _d("420000000.00"),
                 Stage.approved),
    ProjectDraft("YY-BL-2024-001", "长春路片区保留提升", ProjectType.retain_upgrade, LandPath.state,
                 "430902003000", "长春路片区", 380, _d("41000.00"), _d("64.00"), _d("210000000.00"),
                 Stage.decision),
    ProjectDraft("YY-DX-2025-001", "梓山湖片区低效用地再开发", ProjectType.low_efficiency_land, LandPath.state,
                 "430903001001", "梓山湖片区", None, None, _d("520.00"), _d("2300000000.00"), Stage.reserve),
    ProjectDraft("YY-CZC-2025-002", "龙岭村城中村改造", ProjectType.urban_village, LandPath.collective,
                 "430971002001", "龙岭片区", 736, _d("98700.00"), _d("265.00"), _d("1980000000.00"),
                 Stage.consultation),
]


async def load_regions(session: AsyncSession) -> dict[str, int]:
    regions, added = RegionRepository(session), 0
    for code, name in REGIONS:
        if not await regions.exists(code):
            await create_region(session, SYSTEM, RegionDraft(code=code, name=name))
            added += 1
    return {"regions": added}


#: The demo projects are registered mid-way (decision 0021): they were under way before the platform.
DEMO_MIDWAY_REASON = "演示数据：项目在平台上线前已推进至当前阶段，补录至平台"


async def load_projects(session: AsyncSession) -> dict[str, int]:
    projects, added = ProjectRepository(session), 0
    for draft in PROJECTS:
        if not await projects.code_taken(draft.code):
            midway = bulk_claim(draft.type, draft.stage, DEMO_MIDWAY_REASON, "演示数据")
            await create_project(session, SYSTEM, replace(draft, id=demo_project_id(draft.code)), midway=midway)
            added += 1
    return {"projects": added}


async def seed_demo(settings: ProjectsSettings) -> None:
    """Every slice's demo loader, in ``SLICES`` order (a slice's records may name an earlier
    slice's), in one transaction."""
    from services.projects.app import SLICES

    db = make_database(settings)
    added: dict[str, int] = {}
    try:
        async with db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())
            for slice_ in SLICES:
                if slice_.demo is not None:
                    added.update(await slice_.demo(session))
    finally:
        await db.dispose()
    log.info("demo_loaded", **added)
