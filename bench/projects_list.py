"""Projects at city scale: 2,000 projects and 100,000 tasks, read through the gateway
by 16 concurrent clients — a filtered project list (a district's shantytown projects,
a page of 50) and one project's overdue tasks (each client its own project).

Target (issue 5): p99 <= 50 ms for both.
Usage: python bench/projects_list.py [--seconds 10] [--concurrency 16] [--projects 2000] [--tasks 100000]
                                    [--workers N]   (projects service processes; default one per core)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import create_async_engine

from bench.support import LoadResult, bench_server, bench_token, cpu_seconds, load, scratch
from contracts.projects import ProjectType, Stage
from gateway.__main__ import DEPLOYABLE as GATEWAY_DEPLOYABLE
from kernel.calendar import today
from kernel.db.migrations import upgrade
from kernel.settings import normalize_database_url
from scripts.components import GATEWAY, SERVICES
from scripts.processes import free_port, running
from services.projects.__main__ import DEPLOYABLE
from services.projects.demo.seed import seed_demo
from services.projects.regions.models import Region
from services.projects.registry.models import Project
from services.projects.settings import ProjectsSettings
from services.projects.tasks.models import Task

TYPES = list(ProjectType)
STAGES = list(Stage)


async def populate(url: str, n_projects: int, n_tasks: int, seed: int = 7) -> list[uuid.UUID]:
    """Bulk rows (as the migrating user: this is set-up, not the thing measured)."""
    rnd = random.Random(seed)
    engine = create_async_engine(normalize_database_url(url))
    now = today()
    try:
        async with engine.begin() as conn:
            regions = [r for (r,) in (await conn.execute(
                select(Region.code).where(Region.level.in_(("township", "community"))))).all()]
            projects = []
            for i in range(n_projects):
                projects.append({
                    "id": uuid.uuid4(), "code": f"BENCH-{i:05d}", "name": f"基准项目{i:05d}",
                    "type": rnd.choice(TYPES).value, "land_path": "state", "region_code": rnd.choice(regions),
                    "stage": rnd.choice(STAGES).value, "target_households": rnd.randint(50, 2000), "version": 1,
                })
            await conn.execute(insert(Project), projects)
            per = max(1, n_tasks // n_projects)
            batch: list[dict[str, object]] = []
            for p in projects:
                for j in range(per):
                    end = now + dt.timedelta(days=rnd.randint(-200, 200))
                    status = rnd.choices(("not_started", "in_progress", "done", "cancelled"), (3, 4, 6, 1))[0]
                    batch.append({
                        "id": uuid.uuid4(), "project_id": p["id"], "title": f"任务{j:03d}", "kind": "general",
                        "planned_start": end - dt.timedelta(days=30), "planned_end": end, "status": status,
                        "progress": 100 if status == "done" else rnd.randint(0, 90), "owner_name": "张三",
                        "working_days": False, "depends_on": [], "version": 1,
                    })
                if len(batch) >= 10_000:
                    await conn.execute(insert(Task), batch)
                    batch = []
            if batch:
                await conn.execute(insert(Task), batch)
            counts = (await conn.execute(text(
                "SELECT (SELECT count(*) FROM projects.project), (SELECT count(*) FROM projects.task)"))).one()
            print(f"populated: {counts[0]} projects, {counts[1]} tasks", flush=True)
        # What autovacuum would have done by the time anyone reads a table this size: statistics,
        # hint bits and the visibility map (else the first reads pay for them, and for the writes).
        async with engine.connect() as conn:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in ("project", "task"):
                await conn.execute(text(f"VACUUM (ANALYZE) projects.{table}"))
        return [p["id"] for p in projects]
    finally:
        await engine.dispose()


def summary(name: str, r: LoadResult, cpu: dict[str, float] | None = None) -> str:
    line = (f"{name}: {r.requests} requests, {r.errors} errors, {r.rps:.0f} req/s, p50 {r.p50_ms:.1f} ms, "
            f"p99 {r.percentile(99) * 1000:.1f} ms")
    if cpu:
        line += ", CPU per request: " + ", ".join(f"{who} {ms:.2f} ms" for who, ms in cpu.items())
    return line


def measured(base: str, path: str | list[str], *, concurrency: int, seconds: float,
             headers: dict[str, str]) -> tuple[LoadResult, dict[str, float]]:
    """A load, and the CPU the projects service and the gateway spent per request during it
    (a figure that queueing does not inflate, unlike latency on a shared machine)."""
    who = {"projects": "services.projects", "gateway": "-m gateway"}
    before = {name: cpu_seconds(match) for name, match in who.items()}
    r = asyncio.run(load(base, path, concurrency=concurrency, seconds=seconds, headers=headers))
    return r, {name: (cpu_seconds(match) - before[name]) * 1000 / max(r.requests, 1) for name, match in who.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="projects service processes (PROJECTS_WORKERS; default: one per core)")
    args = parser.parse_args()

    token, key_set = bench_token("city_commander", "430900000000")
    auth = {"Authorization": f"Bearer {token}"}
    projects_component = next(c for c in SERVICES if c.name == "projects")
    with bench_server() as server, scratch(server, f"anju_bench_list_{os.getpid()}") as url:
        assert DEPLOYABLE.migrations is not None
        assert GATEWAY_DEPLOYABLE.migrations is not None
        upgrade(DEPLOYABLE.migrations, url)
        upgrade(GATEWAY_DEPLOYABLE.migrations, url)
        asyncio.run(seed_demo(ProjectsSettings(database_url=url, log_level="WARNING")))
        ids = asyncio.run(populate(url, args.projects, args.tasks))
        env = {"PROJECTS_DATABASE_URL": url, "PROJECTS_JWKS_JSON": json.dumps(key_set),
               "PROJECTS_JOBS_ENABLED": "false", "PROJECTS_CONSUME": "false", "PROJECTS_WORKERS": str(args.workers)}
        with running(projects_component, env, free_port()) as direct_base:
            gw_env = {f"GATEWAY_{c.name.upper()}_URL": direct_base for c in SERVICES}
            gw_env["GATEWAY_DATABASE_URL"] = url
            with running(GATEWAY, gw_env, free_port()) as gateway:
                list_path = "/api/v1/projects/projects?region_prefix=430903&type=shantytown&limit=50"
                overdue_paths = [f"/api/v1/projects/projects/{pid}/tasks?overdue=true&limit=50"
                                 for pid in random.Random(1).sample(ids, args.concurrency)]
                for path in (list_path, overdue_paths):  # warm-up: every worker's pool, caches and plans
                    asyncio.run(load(gateway, path, concurrency=args.concurrency, seconds=5.0, headers=auth))
                listed, list_cpu = measured(gateway, list_path, concurrency=args.concurrency,
                                            seconds=args.seconds, headers=auth)
                print(summary("filtered_list", listed, list_cpu), flush=True)
                overdue, overdue_cpu = measured(gateway, overdue_paths, concurrency=args.concurrency,
                                                seconds=args.seconds, headers=auth)
                print(summary("overdue_tasks", overdue, overdue_cpu), flush=True)
                # One client alone: the time a request takes without queueing behind the others.
                alone = {name: asyncio.run(load(gateway, path, concurrency=1, seconds=args.seconds / 2,
                                               headers=auth))
                         for name, path in (("list", list_path), ("overdue", overdue_paths[0]))}
                for name, r in alone.items():
                    print(summary(f"{name}_one_client", r), flush=True)
    print(f"list_p50: {listed.p50_ms:.1f} ms, list_p99: {listed.percentile(99) * 1000:.1f} ms, "
          f"overdue_p50: {overdue.p50_ms:.1f} ms, overdue_p99: {overdue.percentile(99) * 1000:.1f} ms, "
          f"target_p99: 50 ms, concurrency: {args.concurrency}, projects: {args.projects}, tasks: {args.tasks}, "
          f"workers: {args.workers}, "
          f"list_service_cpu: {list_cpu['projects']:.2f} ms, list_gateway_cpu: {list_cpu['gateway']:.2f} ms, "
          f"overdue_service_cpu: {overdue_cpu['projects']:.2f} ms, "
          f"overdue_gateway_cpu: {overdue_cpu['gateway']:.2f} ms, "
          f"one_client_list_p99: {alone['list'].percentile(99) * 1000:.1f} ms, "
          f"one_client_overdue_p99: {alone['overdue'].percentile(99) * 1000:.1f} ms")
    return 0 if listed.errors == 0 and overdue.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
