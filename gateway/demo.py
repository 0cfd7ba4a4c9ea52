"""Demo accounts for the local run: an administrator for 湖南省 and, for every
staff role, users at the levels where the role exists — 益阳市 (city),
赫山区 (district), 桃花仑街道 (sub-district) — plus two residents and one
machine client. All share the password below: LOCAL RUN ONLY.

Loaded through the use cases (so every rule applies, and the audit trail
records it) and idempotent: rerunning adds nothing and changes no password.

Task-force members belong to demo projects of the projects service, and the
residents to demo households of the old-compound project 汽车路街道老旧小区改造
(YY-LJ-2024-002). The gateway must not import that service, so the ids come
from ``kernel.demo_ids``, as every service's demo data takes them (a test
checks that they agree).
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.repository import ClientRepository
from gateway.clients.service import ClientDraft, create_client
from gateway.identity.service import Identity
from gateway.keys.service import ensure_current_key
from gateway.settings import GatewaySettings
from gateway.users.repository import UserRepository
from gateway.users.service import UserDraft, create_user, set_password, update_user
from kernel.auth.principal import SYSTEM, DataScope
from kernel.auth.roles import Role
from kernel.db.session import apply_scope, make_database
from kernel.demo_ids import demo_household_id, demo_project_id

log = structlog.get_logger("demo")

DEMO_PASSWORD = "Anju@2026"  # noqa: S105  (demo data, local run only)
DEMO_CLIENT_SECRET = "anju-demo-municipal-registry-2026"  # noqa: S105  (demo data, local run only)

__all__ = ["DEMO_CLIENTS", "DEMO_PASSWORD", "DEMO_USERS", "demo_household_id", "demo_project_id", "load_demo",
           "seed_demo"]

#: The project whose households the demo residents live in (its consultation is open in the demo).
RESIDENTS_PROJECT = "YY-LJ-2024-002"


PROVINCE = "430000000000"  # 湖南省
CITY = "430900000000"  # 益阳市
DISTRICT = "430903000000"  # 赫山区
STREET = "430903001000"  # 桃花仑街道
COMMUNITY = "430903001002"  # 桃花仑社区
RESIDENTS_COMMUNITY = "430902001001"  # 汽车路社区: where the demo residents' old compound is

REGION_NAMES = {PROVINCE: "湖南省", CITY: "益阳市", DISTRICT: "赫山区", STREET: "桃花仑街道",
                COMMUNITY: "桃花仑社区", RESIDENTS_COMMUNITY: "汽车路社区"}


@dataclass(frozen=True, slots=True)
class DemoUser:
    username: str
    display_name: str
    role: Role
    region_code: str
    phone: str
    projects: tuple[str, ...] = ()
    household: int | None = None  # the resident's household: its number in RESIDENTS_PROJECT


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "周国平", Role.admin, PROVINCE, "13907370001"),
    DemoUser("yiyang.admin", "王建国", Role.admin, CITY, "13907370002"),
    DemoUser("heshan.admin", "李红梅", Role.admin, DISTRICT, "13907370003"),
    DemoUser("taohualun.admin", "陈志强", Role.admin, STREET, "13907370004"),
    DemoUser("yiyang.city_commander", "张卫东", Role.city_commander, CITY, "13907370005"),
    DemoUser("heshan.district_commander", "赵立新", Role.district_commander, DISTRICT, "13907370006"),
    DemoUser("taohualun.street_officer", "孙丽萍", Role.street_officer, STREET, "13907370007"),
    DemoUser("yiyang.taskforce_member", "吴晓燕", Role.taskforce_member, CITY, "13907370008",
             ("YY-PG-2023-004", "YY-ZS-2023-002")),
    DemoUser("heshan.taskforce_member", "郑海涛", Role.taskforce_member, DISTRICT, "13907370009",
             ("YY-PG-2021-001", "YY-CZC-2023-001")),
    DemoUser("taohualun.taskforce_member", "黄志明", Role.taskforce_member, STREET, "13907370010",
             ("YY-PG-2022-003", "YY-DX-2025-001")),
    DemoUser("heshan.field_worker", "何秀英", Role.field_worker, DISTRICT, "13907370011"),
    DemoUser("taohualun.field_worker", "林建军", Role.field_worker, STREET, "13907370012"),
    DemoUser("yiyang.housing_officer", "马晓红", Role.housing_officer, CITY, "13907370013"),
    DemoUser("heshan.housing_officer", "罗文静", Role.housing_officer, DISTRICT, "13907370014"),
    DemoUser("yiyang.finance_officer", "谢雨婷", Role.finance_officer, CITY, "13907370015"),
    DemoUser("heshan.finance_officer", "宋建华", Role.finance_officer, DISTRICT, "13907370016"),
    DemoUser("yiyang.auditor", "唐明亮", Role.auditor, CITY, "13907370017"),
    DemoUser("heshan.auditor", "韩雪梅", Role.auditor, DISTRICT, "13907370018"),
    DemoUser("taohualun.auditor", "冯德胜", Role.auditor, STREET, "13907370019"),
    DemoUser("qichelu.resident1", "曹桂兰", Role.resident, RESIDENTS_COMMUNITY, "15907371001", household=1),
    DemoUser("qichelu.resident2", "彭志刚", Role.resident, RESIDENTS_COMMUNITY, "15907371002", household=2),
)


@dataclass(frozen=True, slots=True)
class DemoClient:
    client_id: str
    name: str
    scopes: tuple[str, ...]
    region_code: str | None


DEMO_CLIENTS: tuple[DemoClient, ...] = (
    DemoClient("municipal-registry", "市不动产登记中心", ("projects:read", "regions:read"), CITY),
    # The services' own event consumers (each reads the other services' feeds).
    DemoClient("svc-projects", "项目服务（事件消费）", ("events:read",), None),
    DemoClient("svc-relocation", "征迁服务（事件消费）", ("events:read",), None),
    DemoClient("svc-housing", "安置房服务（事件消费）", ("events:read",), None),
    DemoClient("svc-funding", "资金服务（事件消费）", ("events:read",), None),
)


def demo_client_secret(client_id: str) -> str:
    """The demo secret of a demo client (local run and tests only)."""
    return DEMO_CLIENT_SECRET if client_id == "municipal-registry" else f"anju-demo-{client_id}-2026"


async def load_demo(session: AsyncSession, ident: Identity) -> tuple[int, int]:
    """Add the demo accounts that are missing; (users added, clients added)."""
    await apply_scope(session, DataScope.everything())  # system work: every region
    await ensure_current_key(session, ident.cipher)
    users = UserRepository(session)
    added_users = added_clients = 0
    for d in DEMO_USERS:
        user = await users.by_username(d.username)
        household = demo_household_id(RESIDENTS_PROJECT, d.household) if d.household else None
        if user is None:
            user = await create_user(session, ident, SYSTEM, UserDraft(
                username=d.username, display_name=d.display_name, roles=[d.role], region_code=d.region_code,
                phone=d.phone, project_ids=[demo_project_id(c) for c in d.projects], household_id=household))
            added_users += 1
        elif household is not None and user.household_id is None:  # a demo loaded before households existed
            user = await update_user(session, ident, SYSTEM, user.id, {"household_id": household}, None)
        if user.password_hash is None:
            await set_password(session, ident, SYSTEM, user.id, DEMO_PASSWORD, None)
    clients = ClientRepository(session)
    for c in DEMO_CLIENTS:
        if await clients.by_client_id(c.client_id) is None:
            client, _ = await create_client(session, ident, SYSTEM, ClientDraft(
                client_id=c.client_id, name=c.name, scopes=list(c.scopes), region_code=c.region_code))
            client.secret_hash = await ident.passwords.hash(demo_client_secret(c.client_id))  # known, for the demo
            added_clients += 1
    await session.flush()
    return added_users, added_clients


async def seed_demo(settings: GatewaySettings) -> None:
    ident = Identity.from_settings(settings)
    db = make_database(settings)
    try:
        async with db.sessionmaker() as session, session.begin():
            users, clients = await load_demo(session, ident)
    finally:
        await db.dispose()
    log.info("demo_loaded", users=users, clients=clients)
