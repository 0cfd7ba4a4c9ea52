"""The gateway in-process on a real PostgreSQL: a database of its own, migrated
with Alembic and loaded with the demo accounts, and its project directory with the
demo projects (as the projects feed would announce them), once per run; each test runs
in an outer transaction that is rolled back (the app's commits become savepoints)."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from contracts.projects import ProjectChanged
from gateway.__main__ import DEPLOYABLE
from gateway.app import create_app
from gateway.database import PROJECTS
from gateway.demo import DEMO_PASSWORD, demo_project_id, load_demo
from gateway.identity.service import Identity
from gateway.settings import GatewaySettings
from kernel.auth.principal import DataScope
from kernel.db.migrations import upgrade
from kernel.db.session import Database, apply_scope, make_engine
from kernel.events.envelope import EventEnvelope
from services.projects.demo.seed import PROJECTS as DEMO_PROJECTS
from tests.support.db import scratch_database

Login = Callable[..., Awaitable[dict[str, Any]]]
Headers = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture(scope="session")
def gateway_database_url(pg_server: str) -> Iterator[str]:
    with scratch_database(pg_server, f"anju_gw_test_{os.getpid()}", migrated=False) as url:
        assert DEPLOYABLE.migrations is not None
        upgrade(DEPLOYABLE.migrations, url)
        yield url


@pytest.fixture(scope="session")
def gateway_settings(gateway_database_url: str) -> GatewaySettings:
    return GatewaySettings(database_url=gateway_database_url, log_level="WARNING")


@pytest.fixture(scope="session")
async def gateway_engine(gateway_settings: GatewaySettings) -> AsyncIterator[AsyncEngine]:
    """Connections work as the gateway's application role, as the gateway does. The demo
    accounts (and the first signing key) are committed once for the whole run."""
    eng = make_engine(gateway_settings.require_database_url(), gateway_settings)
    async with async_sessionmaker(eng, expire_on_commit=False)() as session, session.begin():
        await load_demo(session, Identity.from_settings(gateway_settings))
        await PROJECTS.on_projects_changed(session, demo_project_events())
    yield eng
    await eng.dispose()


def demo_project_events() -> list[EventEnvelope]:
    """``projects.project.changed`` of every demo project, as the projects feed announces them."""
    events = []
    for i, p in enumerate(DEMO_PROJECTS, start=1):
        project_id = demo_project_id(p.code)
        payload = ProjectChanged(id=project_id, code=p.code, name=p.name, type=p.type.value,
                                 land_path=p.land_path.value, region_code=p.region_code, stage=p.stage.value,
                                 version=1)
        events.append(EventEnvelope(id=uuid.uuid4(), type=ProjectChanged.event_type, version=1,
                                    aggregate_type="project", aggregate_id=str(project_id),
                                    occurred_at=dt.datetime.now(dt.UTC), project_id=project_id,
                                    payload=payload.model_dump(mode="json"), cursor=f"1.{i}"))
    return events


@pytest.fixture
async def gdb(gateway_engine: AsyncEngine) -> AsyncIterator[Database]:
    async with gateway_engine.connect() as conn:
        conn.info.pop("anju_scope", None)  # the outer rollback reverts scopes set inside (kernel.db.session.bind_scope)
        outer = await conn.begin()
        maker = async_sessionmaker(bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint")
        yield Database(engine=gateway_engine, sessionmaker=maker)
        await outer.rollback()
        conn.info.pop("anju_scope", None)


@pytest.fixture
def gateway_app(gdb: Database, gateway_settings: GatewaySettings) -> FastAPI:
    return create_app(gateway_settings, database=gdb)


@pytest.fixture
async def gw(gateway_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway's own routes (no downstream services in-process)."""
    transport = httpx.ASGITransport(app=gateway_app, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


@pytest.fixture
def login(gw: httpx.AsyncClient) -> Login:
    """``await login("heshan.admin")``: the token pair of a demo user (asserts success)."""

    async def _login(username: str, password: str = DEMO_PASSWORD) -> dict[str, Any]:
        r = await gw.post("/api/v1/auth/login", json={"username": username, "password": password})
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    return _login


@pytest.fixture
def as_user(login: Login) -> Headers:
    """``await as_user("heshan.admin")``: the Authorization header of a signed-in demo user."""

    async def _headers(username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {(await login(username))['access_token']}"}

    return _headers


@pytest.fixture
def sql(gdb: Database) -> Callable[..., Awaitable[list[dict[str, Any]]]]:
    """``await sql("SELECT ... WHERE x = :x", x=1)`` inside the test's transaction."""

    async def _sql(statement: str, **params: object) -> list[dict[str, Any]]:
        async with gdb.sessionmaker() as session:
            await apply_scope(session, DataScope.everything())  # see every row, whatever RLS allows
            result = await session.execute(text(statement), params)
            rows = [dict(r) for r in result.mappings()] if getattr(result, "returns_rows", False) else []
            await session.commit()
            return rows

    return _sql
