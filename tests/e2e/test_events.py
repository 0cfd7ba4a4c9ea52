"""Events end to end, real processes over HTTP: the projects service publishes,
relocation, housing and funding keep read models; a consumer that was down
catches up by itself; nothing is lost and nothing is applied twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from scripts.components import GATEWAY, SERVICES, service_env
from scripts.localdb import asyncpg_dsn
from scripts.processes import ROOT
from tests.e2e.conftest import run_command, sign_in
from tests.support.db import scratch_database
from tests.support.processes import free_port, running

pytestmark = pytest.mark.e2e
CONSUMERS = ("relocation", "housing", "funding")


@pytest.fixture(scope="module")
def events_db(pg_server: str) -> Iterator[str]:
    with scratch_database(pg_server, f"anju_e2e_events_{os.getpid()}") as url:
        run_command(GATEWAY, ["seed-demo"], {"GATEWAY_DATABASE_URL": url})  # users and the services' clients
        yield url


async def _state(url: str) -> dict[str, dict[str, int]]:
    """Per schema: project id -> version (projects: the truth; the others: their read model)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        out = {"projects": {str(r["id"]): r["version"] for r in await conn.fetch(
            "SELECT id, version FROM projects.project")}}
        for s in CONSUMERS:
            out[s] = {str(r["id"]): r["version"] for r in await conn.fetch(f"SELECT id, version FROM {s}.project_ref")}
        return out
    finally:
        await conn.close()


async def _counts(url: str) -> dict[str, tuple[int, int, int]]:
    """Per consumer: (events published, events marked processed, applied per its cursor)."""
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        published = await conn.fetchval("SELECT count(*) FROM projects.outbox_event")
        out = {}
        for s in CONSUMERS:
            processed = await conn.fetchval(f"SELECT count(*) FROM {s}.processed_event WHERE producer = 'projects'")
            applied = await conn.fetchval(f"SELECT applied FROM {s}.consumer_cursor WHERE producer = 'projects'")
            out[s] = (published, processed, applied or 0)
        return out
    finally:
        await conn.close()


def _converged(state: dict[str, dict[str, int]], services: tuple[str, ...]) -> bool:
    return all(state[s] == state["projects"] for s in services)


def _wait(url: str, services: tuple[str, ...], timeout_s: float = 30) -> dict[str, dict[str, int]]:
    deadline = time.monotonic() + timeout_s
    while True:
        state = asyncio.run(_state(url))
        if _converged(state, services) or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def test_read_models_converge_after_a_consumer_was_down(events_db: str, tmp_path: Path) -> None:
    gateway_port = free_port()
    gateway = f"http://127.0.0.1:{gateway_port}"
    with contextlib.ExitStack() as stack:
        urls: dict[str, str] = {}
        procs: dict[str, contextlib.ExitStack] = {}

        def wiring(name: str) -> dict[str, str]:
            c = next(s for s in SERVICES if s.name == name)
            return {f"{c.env_prefix}DATABASE_URL": events_db,
                    **service_env(c, gateway_base=gateway, projects_base=urls.get("projects", ""))}

        def start(name: str, **extra: str) -> None:
            c = next(s for s in SERVICES if s.name == name)
            env = {**wiring(name), **extra}
            own = contextlib.ExitStack()
            urls[name] = own.enter_context(running(c, env, free_port(), tmp_path, ready_path="/readyz"))
            procs[name] = own

        for c in SERVICES:
            start(c.name)
        gw_env = {"GATEWAY_DATABASE_URL": events_db, **{f"GATEWAY_{c.name.upper()}_URL": urls[c.name]
                                                        for c in SERVICES}}
        stack.enter_context(running(GATEWAY, gw_env, gateway_port, tmp_path, ready_path="/readyz"))
        for own in procs.values():
            stack.callback(own.close)
        admin = {"Authorization": f"Bearer {sign_in(gateway, 'admin')}"}
        api = httpx.Client(base_url=gateway, headers=admin, timeout=10)

        def create(n: int, tag: str) -> list[tuple[str, str]]:
            made = []
            for i in range(n):
                r = api.post("/api/v1/projects/projects", json={
                    "code": f"EV-{tag}-{i:02d}-{uuid.uuid4().hex[:4].upper()}", "name": f"事件测试项目{tag}{i}",
                    "type": "shantytown", "region_code": "430000000000"})
                assert r.status_code == 201, r.text
                made.append((r.json()["id"], r.headers["etag"]))
            return made

        def rename(items: list[tuple[str, str]], suffix: str) -> None:
            for pid, etag in items:
                r = api.patch(f"/api/v1/projects/projects/{pid}", json={"name": f"改名{suffix}"},
                              headers={"If-Match": etag})
                assert r.status_code == 200, r.text

        # Regions first (the province is enough for these projects).
        api.post("/api/v1/projects/regions", json={"code": "430000000000", "name": "湖南省"})
        first = create(8, "A")
        rename(first[:4], "一")
        state = _wait(events_db, CONSUMERS)
        assert _converged(state, CONSUMERS), "the read models follow the projects"

        procs["housing"].close()  # housing goes down
        second = create(8, "B")
        rename(first[4:] + second[:3], "二")
        state = _wait(events_db, ("relocation", "funding"))
        assert _converged(state, ("relocation", "funding"))
        assert state["housing"] != state["projects"], "housing was down and is behind"

        start("housing")  # back up: it catches up on its own from its cursor
        state = _wait(events_db, CONSUMERS)
        assert _converged(state, CONSUMERS), {s: len(state[s]) for s in state}
        assert len(state["projects"]) == 16

        for service, (published, processed, applied) in asyncio.run(_counts(events_db)).items():
            assert processed == published, f"{service}: events lost or skipped"
            assert applied == published, f"{service}: an event was applied twice (or missed)"

        ops = httpx.get(f"{urls['housing']}/api/v1/housing/events/consumers", headers=admin, timeout=10).json()
        assert [(o["producer"], o["lag_events"], o["dead_letters"]) for o in ops] == [("projects", 0, 0)]
        metrics = httpx.get(f"{urls['housing']}/metrics", timeout=10).text
        assert 'consumer_lag_events{producer="projects",service="housing"} 0.0' in metrics

        # Consumers as a process of their own: housing's API process stops consuming.
        procs["housing"].close()
        start("housing", HOUSING_CONSUME="false")
        relay = subprocess.Popen([sys.executable, "-m", "services.housing", "consume"], cwd=ROOT,
                                 env={**os.environ, **wiring("housing"), "HOUSING_LOG_LEVEL": "WARNING"},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            create(3, "C")
            state = _wait(events_db, CONSUMERS)
            assert _converged(state, CONSUMERS)
            assert len(state["housing"]) == 19
        finally:
            relay.terminate()
            assert relay.wait(timeout=15) == 0, "the consumer process stops cleanly on SIGTERM"
