"""Demo data: command structure: command units, people and positions, responsibility chains, task
forces. Loaded by ``demo.seed_demo`` after regions and projects, in the same transaction, through
the use cases; idempotent (a rerun adds nothing).

益阳市's command: the city renewal command, the two district commands, the sub-districts, the
city departments, the platform company and the expropriation departments; their people and
posts; for each key project a task force (the demo gateway users who are task-force members
belong to theirs) and the four-level responsibility chain; and for a few projects the legal
basis, the outline on the map, the lead unit and the implementing company."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import SYSTEM
from kernel.demo_ids import DEMO_NAMESPACE, demo_household_id, demo_project_id
from kernel.pagination import PageRequest
from kernel.pii.cipher import PiiCipher
from services.projects.command import service as uc
from services.projects.command.repository import MemberRepository, PersonRepository, UnitRepository
from services.projects.command.service import (
    MemberDraft,
    PersonDraft,
    PositionDraft,
    ResponsibilityDraft,
    UnitDraft,
)
from services.projects.command.vocabulary import DepartmentFunction, LegalBasis, ResponsibilityLevel, UnitKind
from services.projects.registry import service as project_uc
from services.projects.settings import ProjectsSettings

CITY, ZIYANG, HESHAN = "430900000000", "430902000000", "430903000000"


def demo_id(kind: str, name: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, f"{kind}:{name}")


@dataclass(frozen=True, slots=True)
class U:
    key: str
    kind: UnitKind
    name: str
    region: str
    parent: str | None = None
    function: DepartmentFunction | None = None


UNITS: tuple[U, ...] = (
    U("city", UnitKind.city_command, "益阳市城市更新（棚户区改造）工作领导小组", CITY),
    U("ziyang", UnitKind.district_command, "资阳区城市更新指挥部", ZIYANG, "city"),
    U("heshan", UnitKind.district_command, "赫山区城市更新指挥部", HESHAN, "city"),
    U("taohualun", UnitKind.sub_district, "桃花仑街道办事处", "430903001000", "heshan"),
    U("jinyinshan", UnitKind.sub_district, "金银山街道办事处", "430903002000", "heshan"),
    U("huilongshan", UnitKind.sub_district, "会龙山街道办事处", "430903003000", "heshan"),
    U("qichelu", UnitKind.sub_district, "汽车路街道办事处", "430902001000", "ziyang"),
    U("damatou", UnitKind.sub_district, "大码头街道办事处", "430902002000", "ziyang"),
    U("zhujian", UnitKind.department, "益阳市住房和城乡建设局", CITY, "city", DepartmentFunction.housing),
    U("ziran", UnitKind.department, "益阳市自然资源和规划局", CITY, "city", DepartmentFunction.natural_resources),
    U("fagai", UnitKind.department, "益阳市发展和改革委员会", CITY, "city", DepartmentFunction.development_reform),
    U("caizheng", UnitKind.department, "益阳市财政局", CITY, "city", DepartmentFunction.finance),
    U("gongan", UnitKind.department, "益阳市公安局", CITY, "city", DepartmentFunction.public_security),
    U("sifa", UnitKind.department, "益阳市司法局", CITY, "city", DepartmentFunction.justice),
    U("heshan_zhujian", UnitKind.department, "赫山区住房和城乡建设局", HESHAN, "heshan", DepartmentFunction.housing),
    U("ziyang_zhujian", UnitKind.department, "资阳区住房和城乡建设局", ZIYANG, "ziyang", DepartmentFunction.housing),
    U("chengtou", UnitKind.implementing_company, "益阳城市建设投资运营集团有限责任公司", CITY),
    U("heshan_zhengshou", UnitKind.expropriation_department, "赫山区房屋征收与补偿办公室", HESHAN, "heshan"),
    U("heshan_zhengshou_center", UnitKind.expropriation_agency, "赫山区房屋征收服务中心", HESHAN,
      "heshan_zhengshou"),
    U("ziyang_zhengshou", UnitKind.expropriation_department, "资阳区房屋征收与补偿办公室", ZIYANG, "ziyang"),
    U("ziyang_zhengshou_center", UnitKind.expropriation_agency, "资阳区房屋征收服务中心", ZIYANG,
      "ziyang_zhengshou"),
)


@dataclass(frozen=True, slots=True)
class Who:
    key: str
    name: str
    region: str
    phone: str
    posts: tuple[tuple[str, str], ...] = ()  # (unit key, title)
    gateway_username: str | None = None


PEOPLE: tuple[Who, ...] = (
    Who("mayor", "胡立新", CITY, "13807370101", (("city", "组长"),)),
    Who("vice_mayor", "邓红英", CITY, "13807370102", (("city", "常务副组长"),)),
    Who("ziyang_leader", "曾庆华", ZIYANG, "13807370201", (("ziyang", "指挥长"),)),
    Who("ziyang_deputy", "黎志勇", ZIYANG, "13807370202", (("ziyang", "常务副指挥长"),)),
    Who("heshan_leader", "龚建明", HESHAN, "13807370301", (("heshan", "指挥长"),)),
    Who("heshan_deputy", "熊丽华", HESHAN, "13807370302", (("heshan", "常务副指挥长"),)),
    Who("taohualun_secretary", "蔡文斌", "430903001000", "13807370401", (("taohualun", "党工委书记"),)),
    Who("jinyinshan_secretary", "严秋菊", "430903002000", "13807370402", (("jinyinshan", "党工委书记"),)),
    Who("qichelu_secretary", "段新华", "430902001000", "13807370403", (("qichelu", "党工委书记"),)),
    Who("damatou_secretary", "欧阳俊", "430902002000", "13807370404", (("damatou", "党工委书记"),)),
    Who("heshan_housing_head", "贺志坚", HESHAN, "13807370501", (("heshan_zhujian", "局长"),)),
    Who("ziyang_housing_head", "姚春燕", ZIYANG, "13807370502", (("ziyang_zhujian", "局长"),)),
    Who("heshan_zhengshou_head", "符国庆", HESHAN, "13807370503", (("heshan_zhengshou", "主任"),)),
    Who("ziyang_zhengshou_head", "莫建军", ZIYANG, "13807370504", (("ziyang_zhengshou", "主任"),)),
    Who("chengtou_head", "汤伟民", CITY, "13807370505", (("chengtou", "董事长"),)),
    Who("staff_th1", "肖红梅", "430903001000", "13807370601"),
    Who("staff_th2", "罗志军", "430903001000", "13807370602"),
    Who("staff_jy1", "彭慧敏", "430903002000", "13807370603"),
    Who("staff_qc1", "谢国强", "430902001000", "13807370604"),
    Who("staff_qc2", "刘晓丽", "430902001000", "13807370605"),
    Who("staff_dm1", "周海燕", "430902002000", "13807370606"),
    # The demo gateway users who are task-force members (gateway/demo.py).
    Who("tf_taohualun", "黄志明", "430903001000", "13907370010", gateway_username="taohualun.taskforce_member"),
    Who("tf_heshan", "郑海涛", HESHAN, "13907370009", gateway_username="heshan.taskforce_member"),
    Who("tf_yiyang", "吴晓燕", CITY, "13907370008", gateway_username="yiyang.taskforce_member"),
)


@dataclass(frozen=True, slots=True)
class Force:
    project: str
    name: str
    lead: str  # 区级领导挂帅
    secretary: str  # 乡镇（街道）书记出征
    head: str  # 部门领导坐班
    head_unit: str
    staff: tuple[tuple[str, int], ...]  # (person, households)
    members: tuple[tuple[str, str], ...]  # (person, title)
    listed_households: int = 0  # the first staff member's share lists this many demo households


FORCES: tuple[Force, ...] = (
    Force("YY-PG-2022-003", "桃花仑片区棚改工作专班", "heshan_deputy", "taohualun_secretary", "heshan_zhengshou_head",
          "heshan_zhengshou", (("staff_th1", 620), ("staff_th2", 600)),
          (("heshan_deputy", "组长"), ("taohualun_secretary", "副组长"), ("tf_taohualun", "成员"),
           ("staff_th1", "成员"))),
    Force("YY-CZC-2023-001", "古杨家园城中村改造工作专班", "heshan_leader", "jinyinshan_secretary",
          "heshan_housing_head", "heshan_zhujian", (("staff_jy1", 500),),
          (("heshan_leader", "组长"), ("tf_heshan", "成员"), ("staff_jy1", "成员"))),
    Force("YY-PG-2023-004", "资江南岸棚户区改造工作专班", "ziyang_deputy", "damatou_secretary", "ziyang_zhengshou_head",
          "ziyang_zhengshou", (("staff_dm1", 688),),
          (("ziyang_deputy", "组长"), ("tf_yiyang", "成员"), ("staff_dm1", "成员"))),
    Force("YY-ZS-2023-002", "火车站片区征收拆迁工作专班", "ziyang_leader", "qichelu_secretary", "ziyang_zhengshou_head",
          "ziyang_zhengshou", (("staff_qc1", 435),),
          (("ziyang_leader", "组长"), ("qichelu_secretary", "副组长"), ("tf_yiyang", "成员"))),
    Force("YY-LJ-2024-002", "汽车路街道老旧小区改造工作专班", "ziyang_deputy", "qichelu_secretary",
          "ziyang_housing_head", "ziyang_zhujian", (("staff_qc2", 40), ("staff_qc1", 600)),
          (("qichelu_secretary", "组长"), ("staff_qc2", "成员")), listed_households=40),
)


def _ring(lon: float, lat: float, dx: float, dy: float) -> list[list[float]]:
    """A plausible block outline around (lon, lat): a pentagon, closed."""
    points = [(lon - dx, lat - dy), (lon + dx, lat - dy), (lon + dx * 1.2, lat + dy * 0.4), (lon, lat + dy),
              (lon - dx, lat + dy * 0.6)]
    ring = [[round(x, 6), round(y, 6)] for x, y in points]
    return [*ring, ring[0]]


#: code → (legal basis, outline centre and half-size, lead unit, implementing company)
PROJECT_DETAILS: dict[str, tuple[LegalBasis | None, tuple[float, float, float, float], str, str]] = {
    "YY-PG-2022-003": (LegalBasis.affordable_housing, (112.3560, 28.5530, 0.0060, 0.0040), "heshan", "chengtou"),
    "YY-PG-2021-001": (LegalBasis.affordable_housing, (112.3720, 28.5610, 0.0080, 0.0050), "heshan", "chengtou"),
    "YY-PG-2023-004": (LegalBasis.affordable_housing, (112.3410, 28.5780, 0.0050, 0.0030), "ziyang", "chengtou"),
    "YY-ZS-2023-002": (LegalBasis.old_town_renewal, (112.3290, 28.6010, 0.0040, 0.0030), "ziyang", "chengtou"),
    "YY-CZC-2023-001": (None, (112.3650, 28.5680, 0.0050, 0.0040), "heshan", "chengtou"),
    "YY-LJ-2024-002": (None, (112.3220, 28.5930, 0.0030, 0.0020), "qichelu", "chengtou"),
}


async def load(session: AsyncSession) -> dict[str, int]:
    """Returns how many records of each kind were added (or, for projects, completed)."""
    s = ProjectsSettings()
    phones = uc.person_phone(PiiCipher.from_settings(s.pii_keyring, s.pii_active_key, s.pii_index_key))
    added = dict.fromkeys(("command_units", "people", "positions", "responsibilities", "taskforce_members",
                           "projects_completed"), 0)
    units: dict[str, uuid.UUID] = {}
    for u in UNITS:
        ident = demo_id("unit", u.name)
        if await UnitRepository(session).get(ident) is None:
            await uc.create_unit(session, SYSTEM, UnitDraft(
                kind=u.kind, name=u.name, region_code=u.region, parent_id=units[u.parent] if u.parent else None,
                function=u.function, id=ident))
            added["command_units"] += 1
        units[u.key] = ident
    people: dict[str, uuid.UUID] = {}
    for w in PEOPLE:
        ident = demo_id("person", w.name)
        if await PersonRepository(session).get(ident) is None:
            await uc.create_person(session, SYSTEM, phones, PersonDraft(
                name=w.name, region_code=w.region, phone=w.phone, gateway_username=w.gateway_username, id=ident))
            added["people"] += 1
        people[w.key] = ident
        for unit_key, title in w.posts:
            held = await uc.list_positions(session, SYSTEM, _ALL, unit_id=units[unit_key], person_id=ident)
            if not held.items:
                await uc.create_position(session, SYSTEM, PositionDraft(person_id=ident, unit_id=units[unit_key],
                                                                         title=title, started_on=None))
                added["positions"] += 1
    for f in FORCES:
        added_here = await _force(session, f, units, people)
        for kind, n in added_here.items():
            added[kind] += n
    for code, (basis, (lon, lat, dx, dy), lead, company) in PROJECT_DETAILS.items():
        project = await project_uc.get_project(session, SYSTEM, demo_project_id(code))
        changes: dict[str, Any] = {}
        if project.geometry is None:
            changes["geometry"] = {"type": "Polygon", "coordinates": [_ring(lon, lat, dx, dy)]}
        if project.legal_basis is None and basis is not None:
            changes["legal_basis"] = basis
        if project.lead_unit_id is None:
            changes["lead_unit_id"] = units[lead]
        if project.implementing_company_id is None:
            changes["implementing_company_id"] = units[company]
        if changes:
            await project_uc.update_project(session, SYSTEM, project.id, changes, None)
            added["projects_completed"] += 1
    return added


_ALL = PageRequest(limit=200, cursor=None)


async def _force(session: AsyncSession, f: Force, units: dict[str, uuid.UUID],
                 people: dict[str, uuid.UUID]) -> dict[str, int]:
    added = {"command_units": 0, "responsibilities": 0, "taskforce_members": 0}
    project_id = demo_project_id(f.project)
    force = await UnitRepository(session).task_force_of(project_id)
    if force is None:
        force = await uc.create_unit(session, SYSTEM, UnitDraft(
            kind=UnitKind.task_force, name=f.name, project_id=project_id, id=demo_id("unit", f.name)))
        added["command_units"] += 1
    chain = await uc.get_chain(session, SYSTEM, project_id)
    singles = ((ResponsibilityLevel.lead_leader, f.lead, None),
               (ResponsibilityLevel.township_secretary, f.secretary, None),
               (ResponsibilityLevel.department_head, f.head, units[f.head_unit]))
    for level, who, unit_id in singles:
        if chain.holder(level) is None:
            await uc.assign_responsibility(session, SYSTEM, project_id, ResponsibilityDraft(
                level=level, person_id=people[who], unit_id=unit_id))
            added["responsibilities"] += 1
    held = {r.person_id for r in chain.staff}
    for i, (who, households) in enumerate(f.staff):
        if people[who] in held:
            continue
        listed = [demo_household_id(f.project, n) for n in range(1, f.listed_households + 1)] if i == 0 else []
        await uc.assign_responsibility(session, SYSTEM, project_id, ResponsibilityDraft(
            level=ResponsibilityLevel.staff, person_id=people[who],
            household_count=None if listed else households, household_ids=listed))
        added["responsibilities"] += 1
    for who, title in f.members:
        if await MemberRepository(session).current(force.id, people[who]) is None:
            await uc.add_member(session, SYSTEM, force.id, MemberDraft(person_id=people[who], title=title))
            added["taskforce_members"] += 1
    return added

