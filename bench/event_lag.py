"""Event lag: real processes (gateway issuing the consumer's token, projects
serving its feed, relocation consuming). A producer commits one
``projects.project.changed`` per transaction at a steady rate; the lag of each
event is (consumer's processed time − producer's commit time). Then the consumer
is stopped, a backlog is loaded, and its catch-up is timed from its restart.

Targets (issue 4): p99 <= 1 s at 200 events/s for 60 s; 100,000-event backlog caught up in <= 60 s.
Usage: python bench/event_lag.py [--rate 200] [--seconds 60] [--backlog 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from importlib import import_module
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from bench.support import bench_server, scratch
from contracts.projects import ProjectChanged
from kernel.db.migrations import upgrade
from kernel.settings import normalize_database_url
from scripts.components import GATEWAY, SERVICES, WITH_DATABASE, service_env
from scripts.localdb import asyncpg_dsn
from scripts.processes import free_port, running
from services.projects.database import RECORDS as PROJECTS_RECORDS

PROJECTS = next(c for c in SERVICES if c.name == "projects")
RELOCATION = next(c for c in SERVICES if c.name == "relocation")


def payload(pid: uuid.UUID, version: int) -> ProjectChanged:
    return ProjectChanged(id=pid, code=f"LAG-{pid.hex[:8].upper()}", name="事件延迟测试项目", type="shantytown",
                          land_path="state", region_code="430903001000", stage="signing", version=version)


async def emit_steadily(url: str, rate: float, seconds: float) -> dict[uuid.UUID, float]:
    """One event per transaction, on a fixed schedule; the wall-clock time each commit returned."""
    engine = create_async_engine(normalize_database_url(url), pool_size=8)
    committed: dict[uuid.UUID, float] = {}
    projects = [uuid.uuid4() for _ in range(100)]
    versions = dict.fromkeys(projects, 0)
    start = time.perf_counter()
    n = int(rate * seconds)

    async def one(i: int) -> None:
        pid = projects[i % len(projects)]
        versions[pid] += 1
        async with AsyncSession(engine) as s, s.begin():
            eid = await PROJECTS_RECORDS.outbox.emit(s, payload(pid, versions[pid]), aggregate_type="project",
                                                     aggregate_id=pid, region_code="430903001000", project_id=pid)
        committed[eid] = time.time()

    tasks = []
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i)))
    await asyncio.gather(*tasks)
    await engine.dispose()
    return committed


async def load_backlog(url: str, n: int) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        now = dt.datetime.now(dt.UTC)
        for start in range(0, n, 5000):
            rows = []
            for _ in range(min(5000, n - start)):
                pid = uuid.uuid4()
                rows.append((uuid.uuid4(), str(pid), pid, json.dumps(payload(pid, 1).model_dump(mode="json")), now))
            await conn.executemany(
                "INSERT INTO projects.outbox_event (event_id, type, version, aggregate_type, aggregate_id,"
                " region_code, project_id, occurred_at, payload) VALUES ($1, 'projects.project.changed', 1,"
                " 'project', $2, '430903001000', $3, $5, $4::jsonb)", rows)
    finally:
        await conn.close()


async def processed(url: str) -> int:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM relocation.processed_event"))
    finally:
        await conn.close()


async def processed_times(url: str) -> dict[uuid.UUID, float]:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await conn.fetch("SELECT event_id, processed_at FROM relocation.processed_event")
        return {r["event_id"]: r["processed_at"].timestamp() for r in rows}
    finally:
        await conn.close()


def wait_for(url: str, count: int, timeout_s: float) -> float:
    start = time.perf_counter()
    while asyncio.run(processed(url)) < count:
        if time.perf_counter() - start > timeout_s:
            raise SystemExit(f"consumer did not reach {count} events in {timeout_s:.0f}s")
        time.sleep(0.25)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--backlog", type=int, default=100_000)
    args = parser.parse_args()

    with bench_server() as server, scratch(server, f"anju_bench_events_{os.getpid()}") as url:
        for c in WITH_DATABASE:
            deployable = import_module(f"{c.module}.__main__").DEPLOYABLE
            upgrade(deployable.migrations, url)
        subprocess.run([sys.executable, "-m", "gateway", "seed-demo"], check=True, capture_output=True,
                       env={**os.environ, "GATEWAY_DATABASE_URL": url, "GATEWAY_LOG_LEVEL": "WARNING"})
        gw_port, projects_port = free_port(), free_port()
        gateway, projects = f"http://127.0.0.1:{gw_port}", f"http://127.0.0.1:{projects_port}"
        gw_env = {"GATEWAY_DATABASE_URL": url, **{f"GATEWAY_{c.name.upper()}_URL": projects for c in SERVICES}}
        project_env = {"PROJECTS_DATABASE_URL": url, **service_env(PROJECTS, gateway_base=gateway,
                                                                      projects_base=projects)}
        relocation_env = {"RELOCATION_DATABASE_URL": url, **service_env(RELOCATION, gateway_base=gateway,
                                                                         projects_base=projects)}
        with running(GATEWAY, gw_env, gw_port), running(PROJECTS, project_env, projects_port):
            consumer = contextlib.ExitStack()
            consumer.enter_context(running(RELOCATION, relocation_env, free_port()))
            print(f"steady: {args.rate:.0f} events/s for {args.seconds:.0f} s ...", flush=True)
            committed = asyncio.run(emit_steadily(url, args.rate, args.seconds))
            wait_for(url, len(committed), 120)
            seen = asyncio.run(processed_times(url))
            lags = sorted(seen[e] - t for e, t in committed.items())
            p50, p99 = statistics.median(lags), lags[int(0.99 * (len(lags) - 1))]
            print(f"steady: {len(lags)} events, lag p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
                  f"max {lags[-1] * 1000:.0f} ms", flush=True)

            consumer.close()  # the consumer is down while the backlog builds up
            before = asyncio.run(processed(url))
            print(f"backlog: loading {args.backlog} events with the consumer down ...", flush=True)
            asyncio.run(load_backlog(url, args.backlog))
            consumer.enter_context(running(RELOCATION, relocation_env, free_port()))
            catch_up = wait_for(url, before + args.backlog, 600)
            consumer.close()
            print(f"backlog: {args.backlog} events caught up in {catch_up:.1f} s "
                  f"({args.backlog / catch_up:.0f} events/s)", flush=True)
    print(f"lag_p50: {p50 * 1000:.0f} ms, lag_p99: {p99 * 1000:.0f} ms, rate: {args.rate:.0f} events/s, "
          f"duration: {args.seconds:.0f} s, backlog: {args.backlog} events, catch_up: {catch_up:.1f} s, "
          f"targets: p99 <= 1000 ms, catch_up <= 60 s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
