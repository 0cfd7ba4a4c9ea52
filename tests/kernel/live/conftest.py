"""Tests with real concurrency: real commits on a database of their own (not the
rolled-back transaction of the API tests), through an app with a real pool, on a
PostgreSQL server of their own: they read outbox feeds, whose visibility fence is
server-wide (see ``tests.support.db.private_server``). Each module's database has
the region tree from the start, whichever of its tests runs first (or alone, on an
xdist worker)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from kernel.db.session import make_database
from services.projects.app import create_app
from services.projects.settings import ProjectsSettings
from tests.projects.conftest import TREE
from tests.support.auth import bearer, verifier
from tests.support.db import private_server, scratch_database


def live_settings(url: str) -> ProjectsSettings:
    return ProjectsSettings(database_url=url, log_level="WARNING", db_pool_size=20, db_max_overflow=40,
                            db_pool_timeout_s=30)


async def _with_regions(url: str) -> None:
    db = make_database(live_settings(url))
    app = create_app(live_settings(url), database=db, verifier=verifier("projects"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://projects",
                                 headers=bearer("admin"), timeout=60) as client:
        for code, name in TREE:
            r = await client.post("/api/v1/projects/regions", json={"code": code, "name": name})
            assert r.status_code in (201, 409), r.text
    await db.dispose()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    with private_server() as url:
        yield url


@pytest.fixture(scope="module")
def live_url(live_server: str) -> Iterator[str]:
    with scratch_database(live_server, f"anju_live_{os.getpid()}") as url:
        asyncio.run(_with_regions(url))
        yield url


@pytest.fixture(scope="module")
async def live(live_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = live_settings(live_url)
    db = make_database(settings)
    app = create_app(settings, database=db, verifier=verifier("projects"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://projects",
                                 headers=bearer("admin"), timeout=60) as client:
        yield client
    await db.dispose()
