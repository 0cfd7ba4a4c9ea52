"""Fixtures: one PostgreSQL per run (``TEST_DATABASE_URL`` or embedded), a
fresh database migrated with Alembic (one per pytest-xdist worker), and per test
an outer transaction that is rolled back, with the app's commits turned into
savepoints. Under xdist, tests that share an expensive fixture run on one worker."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope, make_engine
from services.projects.app import create_app as create_projects
from services.projects.settings import ProjectsSettings
from tests.support.auth import bearer, verifier
from tests.support.db import scratch_database, test_server

# Fixtures that cost a database (and for the stack, real processes) per worker that sets them
# up: the tests using them form one xdist group, so exactly one worker pays, once.
SHARED_SESSION = {"e2e_database": "e2e-stack"}  # session scope: one group across modules
SHARED_BY_MODULE = {"live_url", "stairway_db", "events_db"}  # module scope: one group per module


def pytest_configure(config: pytest.Config) -> None:
    # ``-n N`` alone means ``--dist load``, which ignores groups: keep them (an explicit --dist wins).
    import sys; print("CONFIGURE", getattr(config.option, "dist", None), file=sys.stderr)
    explicit = any(a == "-d" or a.startswith("--dist") for a in config.invocation_params.args)
    if getattr(config.option, "dist", "no") == "load" and not explicit:
        config.option.dist = "loadgroup"


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        group = next((g for name, g in SHARED_SESSION.items() if name in used), None)
        if group is None and used & SHARED_BY_MODULE:
            group = item.module.__name__ if isinstance(item, pytest.Function) else None
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with test_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> Iterator[str]:
    with scratch_database(pg_server, f"anju_test_{os.getpid()}") as url:
        yield url


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
