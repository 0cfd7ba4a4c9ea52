"""Demo data: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households, votes,
results. Loaded by ``demo.seed_demo`` after regions and projects, in the same transaction, through
the use cases; idempotent (a rerun adds nothing).

- YY-LJ-2024-002 汽车路街道老旧小区改造: the renovation menu (“点单”), open, 40 eligible households
  (``demo_household_id("YY-LJ-2024-002", n)``, n = 1..40; the demo residents are n = 1 and 2),
  with ballots already in through the app, the field team and paper forms. Household 1 has not
  voted yet (try it as the demo resident); household 2 voted in the app.
- YY-CZC-2025-002 龙岭村城中村改造: the first-round willingness consultation, closed, with its results.

The voting period is set relative to the time of loading, so a fresh demo can always vote."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import SYSTEM, Principal
from kernel.auth.roles import Role
from kernel.db.session import utcnow
from kernel.demo_ids import DEMO_NAMESPACE, demo_household_id, demo_project_id
from services.projects.consultations.repository import ConsultationRepository
from services.projects.consultations.rules import Channel, ConsultationKind
from services.projects.consultations.service import (
    ConsultationDraft,
    HouseholdEntry,
    OptionDraft,
    VoteRequest,
    cast_vote,
    close_consultation,
    create_consultation,
    import_households,
    open_consultation,
)

MENU_PROJECT = "YY-LJ-2024-002"
MENU_REGION = "430902001001"  # 汽车路社区
ROUND_PROJECT = "YY-CZC-2025-002"
ROUND_REGION = "430971002001"  # 龙岭村
MENU = ("加装电梯", "雨污分流", "外墙保温", "停车位改造", "充电桩", "适老化改造")

SURNAMES = "曹彭刘周李谭胡夏龚陈王张杨黄赵吴郑孙马朱"
GIVEN = ("桂兰", "志刚", "建华", "秀英", "国强", "美玲", "立军", "雪梅", "德胜", "小平", "红霞", "海波", "玉珍",
         "文斌", "春花", "明亮", "淑芬", "长青", "金凤", "永红")
# households 1 and 2 are 曹桂兰 and 彭志刚, the gateway's demo residents
FIELD_WORKER = replace(SYSTEM, subject="user:demo-field-worker", name="林建军")
CLERK = replace(SYSTEM, subject="user:demo-street-officer", name="孙丽萍")


def demo_consultation_id(key: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"consultation:{key}")


def _name(n: int) -> str:
    return SURNAMES[(n - 1) % len(SURNAMES)] + GIVEN[(n - 1) % len(GIVEN)]


def _households(project: str, count: int, region: str, address: str) -> list[HouseholdEntry]:
    return [HouseholdEntry(demo_household_id(project, n), _name(n), address.format(
        building=(n - 1) // 8 + 1, unit=(n - 1) % 8 // 4 + 1, door=(n - 1) % 4 + 1), region)
        for n in range(1, count + 1)]


def _resident(project: str, n: int, region: str) -> Principal:
    return Principal(subject=f"user:demo-resident-{project}-{n}", kind="user", name=_name(n),
                     roles=frozenset({Role.resident}), region_code=region, household_id=demo_household_id(project, n))


async def _menu(session: AsyncSession) -> None:
    now = utcnow()
    overview = await create_consultation(session, SYSTEM, ConsultationDraft(
        project_id=demo_project_id(MENU_PROJECT), kind=ConsultationKind.renovation_menu,
        title="汽车路社区老旧小区改造内容“点单”",
        question="本次改造拟实施以下项目，请每户勾选希望实施的内容（可多选）。参与户数达到三分之二、"
                 "且获参与户四分之三以上同意的项目纳入改造方案。",
        opens_at=now - dt.timedelta(days=6), closes_at=now + dt.timedelta(days=24),
        options=[OptionDraft(label) for label in MENU], id=demo_consultation_id(MENU_PROJECT)))
    c = overview.consultation
    await import_households(session, SYSTEM, c.id, _households(
        MENU_PROJECT, 40, MENU_REGION, "汽车路社区机械厂宿舍 {building} 栋 {unit} 单元 {door}0{door} 室"))
    await open_consultation(session, SYSTEM, c.id, c.version)
    option = {o.label: o.id for o in overview.options}
    lift, drain, insulation, parking, charging, ageing = (option[label] for label in MENU)
    # n: (choices, channel); household 1 has not voted (the demo resident may try it)
    app, field, paper = Channel.app, Channel.field, Channel.paper
    ballots: dict[int, tuple[list[uuid.UUID], Channel]] = {
        2: ([lift, drain, ageing], app), 3: ([lift, drain], app), 4: ([lift, parking, charging], app),
        5: ([drain, insulation], app), 6: ([lift, drain, ageing], app), 7: ([lift], app),
        9: ([lift, drain], field), 10: ([drain, ageing], field), 11: ([lift, drain, parking], field),
        12: ([lift, ageing], field), 13: ([drain], field), 14: ([lift, drain, insulation], field),
        17: ([lift, drain], paper), 18: ([lift, charging], paper), 19: ([drain, parking], paper),
        20: ([lift, drain, ageing], paper), 21: ([], paper),
    }
    for n, (choices, channel) in ballots.items():
        household = demo_household_id(MENU_PROJECT, n)
        actor = _resident(MENU_PROJECT, n, MENU_REGION) if channel is app else FIELD_WORKER
        form = f"QCL-2026-{n:03d}" if channel is paper else None
        await cast_vote(session, actor if channel is not paper else CLERK, c.id, household,
                        VoteRequest(choices, channel, form), None)
    # one household changed its mind in the app: the log keeps both
    await cast_vote(session, _resident(MENU_PROJECT, 7, MENU_REGION), c.id, demo_household_id(MENU_PROJECT, 7),
                    VoteRequest([lift, parking], app), "*")


async def _round(session: AsyncSession) -> None:
    now = utcnow()
    overview = await create_consultation(session, SYSTEM, ConsultationDraft(
        project_id=demo_project_id(ROUND_PROJECT), kind=ConsultationKind.willingness,
        title="龙岭村城中村改造征收意愿征询（第一轮）",
        question="龙岭片区拟实施城中村改造，您是否同意对本户房屋实施征收改造？",
        opens_at=now - dt.timedelta(days=20), closes_at=now + dt.timedelta(days=10),
        id=demo_consultation_id(ROUND_PROJECT)))
    c = overview.consultation
    await import_households(session, SYSTEM, c.id, _households(
        ROUND_PROJECT, 36, ROUND_REGION, "龙岭村 {building} 组 {unit}{door} 号"))
    await open_consultation(session, SYSTEM, c.id, c.version)
    yes, no = (o.id for o in overview.options)
    against = {5, 19, 31}
    for n in range(1, 37):
        channel = Channel.field if n % 3 else Channel.paper
        await cast_vote(session, FIELD_WORKER if channel is Channel.field else CLERK, c.id,
                        demo_household_id(ROUND_PROJECT, n),
                        VoteRequest([no if n in against else yes], channel,
                                    f"LL-YY-{n:03d}" if channel is Channel.paper else None), None)
    # every household answered: the task force closes the round early (33 of 36 agree: 91.67% ≥ 90%)
    await close_consultation(session, SYSTEM, c.id, c.version)


async def load(session: AsyncSession) -> dict[str, int]:
    """Returns how many records of each kind were added."""
    repo = ConsultationRepository(session)
    added = 0
    for key, build in ((MENU_PROJECT, _menu), (ROUND_PROJECT, _round)):
        if not await repo.exists(demo_consultation_id(key)):
            await build(session)
            added += 1
    return {"consultations": added}
