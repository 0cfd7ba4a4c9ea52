"""The kernel's promises at the HTTP edge, on a real database: a request that
fails writes nothing; a commit that fails still answers with a problem;
health and metrics answer."""

from __future__ import annotations

import httpx
from fastapi import APIRouter

from kernel.db.session import Database
from kernel.errors import Invalid
from kernel.web.app import create_service_app
from kernel.web.deps import SessionDep
from services.projects.app import CONSTRAINT_ERRORS
from services.projects.database import RECORDS
from services.projects.regions.models import Region
from services.projects.settings import ProjectsSettings
from tests.support.auth import bearer, verifier


class Refused(Invalid):
    code = "test.refused"
    title_zh = "测试拒绝"


router = APIRouter()


@router.post("/write-then-fail")
async def write_then_fail(session: SessionDep) -> None:
    session.add(Region(code="990000000000", name="半途而废", level="province"))
    await session.flush()
    raise Refused()


@router.post("/fail-at-commit")
async def fail_at_commit(session: SessionDep) -> dict[str, str]:
    # Not flushed here: the duplicate key is found only when the edge commits.
    session.add(Region(code="980000000000", name="重复", level="province"))
    return {"status": "looks fine until commit"}


def app_for(db: Database, settings: ProjectsSettings):
    return create_service_app(settings, title="t", description="t", routers=[router], records=RECORDS,
                              constraint_errors=CONSTRAINT_ERRORS, database=db, verifier=verifier("projects"))


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t", headers=bearer("admin"))


async def test_a_failed_request_writes_nothing(db: Database, projects_settings: ProjectsSettings, count) -> None:
    async with client(app_for(db, projects_settings)) as c:
        r = await c.post("/write-then-fail")
    assert r.status_code == 422
    assert r.json()["code"] == "test.refused"
    assert await count("projects.region", "code = '990000000000'") == 0


async def test_a_failed_commit_answers_409(db: Database, projects_settings: ProjectsSettings, count) -> None:
    async with db.sessionmaker() as s:
        s.add(Region(code="980000000000", name="已有", level="province"))
        await s.commit()
    async with client(app_for(db, projects_settings)) as c:
        r = await c.post("/fail-at-commit")
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "region.exists"
    assert await count("projects.region", "code = '980000000000'") == 1


async def test_health_readiness_metrics(projects: httpx.AsyncClient) -> None:
    assert (await projects.get("/healthz")).json() == {"status": "ok", "service": "projects"}
    ready = await projects.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"]["status"] == "ready"
    await projects.get("/api/v1/projects/projects")
    metrics = (await projects.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/api/v1/projects/projects",service="projects",status="200"}' \
        in metrics


async def test_unknown_route_is_a_problem(projects: httpx.AsyncClient) -> None:
    r = await projects.get("/api/v1/projects/nowhere")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "route_not_found"
    # A method the path does not serve: 405 naming every method it does (not only the first route's).
    r = await projects.put("/api/v1/projects/tasks/e3e70682-c209-4cac-a29f-6fbed82c07cd", json={})
    assert r.status_code == 405
    assert (r.json()["code"], r.headers["allow"]) == ("method_not_allowed", "GET, PATCH")


async def test_a_body_that_cannot_be_parsed_is_a_documented_400(projects: httpx.AsyncClient, regions: list[str],
                                                                 count) -> None:
    r = await projects.post("/api/v1/projects/projects", content=b"{\"name\": \"\x80\x81\"}",
                            headers={"Content-Type": "application/json"})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "malformed_request"
    assert r.json()["title"] == "请求无法解析，请检查请求体的格式与编码（UTF-8）"
    assert await count("projects.project") == 0
    contract = (await projects.get("/openapi.json")).json()
    assert "400" in contract["paths"]["/api/v1/projects/projects"]["post"]["responses"]
    assert "400" not in contract["paths"]["/api/v1/projects/projects"]["get"]["responses"]


async def test_a_dead_letter_id_out_of_range_is_a_422(projects: httpx.AsyncClient) -> None:
    base = "/api/v1/projects/events/dead-letters"
    for bad in ("-179094708752623396091592704", "0", str(2**63)):
        r = await projects.post(f"{base}/{bad}/replay")
        assert r.status_code == 422, (bad, r.text)
    assert (await projects.post(f"{base}/{2**63 - 1}/replay")).status_code == 404


async def test_database_down_is_503_not_500(database_url: str) -> None:
    from kernel.db.session import make_database
    from kernel.web.app import create_service_app as make

    settings = ProjectsSettings(database_url="postgresql://nobody@127.0.0.1:1/none", db_pool_timeout_s=1,
                                log_level="WARNING")
    down = make_database(settings)
    app = make(settings, title="t", description="t", routers=[_read_router()], records=RECORDS, database=down,
               verifier=verifier("projects"))
    try:
        async with client(app) as c:
            r = await c.get("/regions-count")
            assert r.status_code == 503
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["code"] == "unavailable"
            assert r.json()["title"] == "服务暂时不可用，请稍后重试"
            assert r.headers["retry-after"] == "1"
            ready = await c.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"]["database"]["status"] == "unready"
    finally:
        await down.dispose()


def _read_router() -> APIRouter:
    from sqlalchemy import func, select

    r = APIRouter()

    @r.get("/regions-count")
    async def regions_count(session: SessionDep) -> dict[str, int]:
        return {"n": int(await session.scalar(select(func.count()).select_from(Region)) or 0)}

    return r
