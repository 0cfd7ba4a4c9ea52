"""The projects service in-process on the run's database (``database_url``): per test an
outer transaction that is rolled back, with the app's commits turned into savepoints; a
client signed in as a province-wide admin; the region tree; a project's body."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from contracts.projects import Stage
from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope, make_engine
from services.projects.app import create_app as create_projects
from services.projects.settings import ProjectsSettings
from services.projects.stages.rules import passed_stages
from tests.support.auth import bearer, verifier

TREE = [
    ("430000000000", "湖南省"),
    ("430900000000", "益阳市"),
    ("430902000000", "资阳区"),
    ("430903000000", "赫山区"),
    ("430903001000", "桃花仑街道"),
    ("430903002000", "金银山街道"),
    ("430903001001", "梓山湖社区"),
]


@pytest.fixture
async def regions(projects: httpx.AsyncClient) -> list[str]:
    for code, name in TREE:
        r = await projects.post("/api/v1/projects/regions", json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    return [code for code, _ in TREE]


def project_body(code: str = "TEST-001", **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "code": code,
        "name": "桃花仑片区棚改",
        "type": "shantytown",
        "land_path": "state",
        "region_code": "430903001000",
        "zone": "桃花仑片区",
        "target_households": 1240,
        "target_floor_area": "132500.00",
        "target_land_mu": "386.00",
        "target_investment": "3650000000.00",
    }
    body.update(over)
    passed = passed_stages(str(body["type"]), Stage(str(body.get("stage", Stage.reserve.value))))
    if passed and "registered_midway" not in over:  # registered mid-way (decision 0021): say so
        body["registered_midway"] = {"reason": "测试项目：登记时已处于该阶段",
                                     "evidence": [{"stage": s.value, "note": "测试：该阶段已办结"} for s in passed]}
    return body


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """Connections work as the projects service's application role, as the service does,
    so row-level security applies in the API tests too."""
    settings = ProjectsSettings(database_url=database_url)
    eng = make_engine(settings.require_database_url(), settings)
    yield eng
    await eng.dispose()


@pytest.fixture
async def db(engine: AsyncEngine) -> AsyncIterator[Database]:
    async with engine.connect() as conn:
        # The outer rollback reverts any scope the app sets on this connection, so the
        # connection must not keep claiming one (see kernel.db.session.bind_scope).
        conn.info.pop("anju_scope", None)
        outer = await conn.begin()
        maker = async_sessionmaker(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        yield Database(engine=engine, sessionmaker=maker)
        await outer.rollback()
        conn.info.pop("anju_scope", None)


@pytest.fixture
def projects_settings(database_url: str) -> ProjectsSettings:
    return ProjectsSettings(database_url=database_url, log_level="WARNING")


@pytest.fixture
def projects_app(db: Database, projects_settings: ProjectsSettings):
    return create_projects(projects_settings, database=db, verifier=verifier("projects"))


@pytest.fixture
async def projects(projects_app) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the projects service, signed in as a province-wide admin by default."""
    transport = httpx.ASGITransport(app=projects_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://projects",
                                 headers=bearer("admin", region="430000000000")) as client:
        yield client


@pytest.fixture
async def count(db: Database):
    """``await count("projects.project", "code = :c", c="X")`` inside the test's transaction."""

    async def _count(table: str, where: str = "true", **params: object) -> int:
        async with db.sessionmaker() as session:
            await apply_scope(session, DataScope.everything())  # see every row, whatever RLS allows
            result = await session.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), params)
            return int(result.scalar_one())

    return _count
