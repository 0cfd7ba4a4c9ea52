"""Row-level security, the second line behind the scoped queries: checked in SQL,
as the projects service's application role."""

from __future__ import annotations

import uuid

import asyncpg
import httpx
import pytest

from scripts.localdb import asyncpg_dsn
from tests.projects.conftest import project_body

SET_SCOPE = ("SELECT set_config('anju.scope_all', $1, false), set_config('anju.scope_region', $2, false),"
             " set_config('anju.scope_projects', $3, false)")


@pytest.fixture
async def as_app(live_url: str):
    conn = await asyncpg.connect(asyncpg_dsn(live_url), server_settings={"role": "anju_projects_app"})
    yield conn
    await conn.close()


async def test_the_app_role_sees_only_its_scope(live: httpx.AsyncClient, as_app: asyncpg.Connection) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    here = (await live.post("/api/v1/projects/projects", json=project_body(f"RLS-A-{tag}",
                                                                            region_code="430903001000"))).json()
    there = (await live.post("/api/v1/projects/projects", json=project_body(f"RLS-B-{tag}",
                                                                             region_code="430903002000"))).json()
    codes = "SELECT code FROM projects.project WHERE code LIKE $1 ORDER BY code"
    assert await as_app.fetch(codes, f"RLS-%-{tag}") == []  # no scope set: nothing at all
    await as_app.execute(SET_SCOPE, "off", "430903001", "")
    assert [r["code"] for r in await as_app.fetch(codes, f"RLS-%-{tag}")] == [f"RLS-A-{tag}"]
    await as_app.execute(SET_SCOPE, "off", "", there["id"])  # a task force with one project
    assert [r["code"] for r in await as_app.fetch(codes, f"RLS-%-{tag}")] == [f"RLS-B-{tag}"]
    await as_app.execute(SET_SCOPE, "off", "430903001", "")
    updated = await as_app.execute("UPDATE projects.project SET name = 'x' WHERE id = $1", uuid.UUID(there["id"]))
    assert updated == "UPDATE 0"  # invisible rows cannot be changed either
    with pytest.raises(asyncpg.InsufficientPrivilegeError):  # nor written outside the scope
        await as_app.execute("UPDATE projects.project SET region_code = '430902001000' WHERE id = $1",
                             uuid.UUID(here["id"]))


async def test_the_app_role_does_not_own_the_tables(as_app: asyncpg.Connection) -> None:
    owner = await as_app.fetchval("SELECT tableowner FROM pg_tables WHERE schemaname = 'projects'"
                                  " AND tablename = 'project'")
    assert owner != "anju_projects_app"
    assert await as_app.fetchval("SELECT current_user") == "anju_projects_app"
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_app.execute("ALTER TABLE projects.project DISABLE ROW LEVEL SECURITY")
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        await as_app.execute("UPDATE projects.alembic_version SET version_num = 'x'")


async def test_a_pooled_connection_never_serves_a_stale_scope(live_url: str) -> None:
    """One connection, many callers: each request sees its own scope, also after a request
    that changed the scope failed (its rollback reverts the setting)."""
    import httpx as hx

    from kernel.db.session import make_database
    from services.projects.app import create_app
    from services.projects.settings import ProjectsSettings
    from tests.support.auth import bearer, verifier

    settings = ProjectsSettings(database_url=live_url, log_level="WARNING", db_pool_size=1, db_max_overflow=0)
    db = make_database(settings)
    app = create_app(settings, database=db, verifier=verifier("projects"))
    tag = uuid.uuid4().hex[:6].upper()
    async with hx.AsyncClient(transport=hx.ASGITransport(app=app), base_url="http://p") as c:
        admin = bearer("admin")
        for code, region in ((f"POOL-A-{tag}", "430903001000"), (f"POOL-B-{tag}", "430903002000")):
            assert (await c.post("/api/v1/projects/projects", headers=admin,
                                 json=project_body(code, region_code=region))).status_code == 201

        async def codes(headers: dict[str, str]) -> list[str]:
            page = (await c.get("/api/v1/projects/projects", params={"limit": 200}, headers=headers)).json()
            return sorted(p["code"] for p in page["items"] if p["code"].endswith(tag))

        here, there = bearer("street_officer", region="430903001000"), bearer("street_officer", region="430903002000")
        assert await codes(here) == [f"POOL-A-{tag}"]
        assert await codes(here) == [f"POOL-A-{tag}"]  # same scope again: no extra statement
        failing = await c.post("/api/v1/projects/projects", headers=bearer("district_commander", region="430902000000"),
                               json=project_body(f"POOL-X-{tag}", region_code="430903001000"))
        assert failing.status_code == 403  # a request with another scope that rolled back
        assert await codes(there) == [f"POOL-B-{tag}"]
        assert await codes(here) == [f"POOL-A-{tag}"]
        assert await codes(bearer("district_commander", region="430903000000")) == [f"POOL-A-{tag}", f"POOL-B-{tag}"]
    await db.dispose()
