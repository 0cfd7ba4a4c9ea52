"""Gateway overhead: one project read by id, directly from the projects service
and through the gateway, side by side in one run (interleaved rounds).

Target (issue 2): through-gateway throughput >= 0.5 x direct.
Usage: python bench/gateway_overhead.py [--seconds 5] [--rounds 3] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.support import bench_server, bench_token, compare, scratch
from gateway.__main__ import DEPLOYABLE as GATEWAY_DEPLOYABLE
from kernel.db.migrations import upgrade
from scripts.components import GATEWAY, SERVICES
from scripts.processes import free_port, running
from services.projects.__main__ import DEPLOYABLE
from services.projects.demo.seed import seed_demo
from services.projects.settings import ProjectsSettings


async def first_project_id(base: str, headers: dict[str, str]) -> str:
    import httpx

    async with httpx.AsyncClient(base_url=base, headers=headers) as c:
        return str((await c.get("/api/v1/projects/projects", params={"limit": 1})).json()["items"][0]["id"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each measured round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    # Both paths carry the same token; the service verifies it either way (the gateway forwards it).
    token, key_set = bench_token("city_commander", "430900000000")
    auth = {"Authorization": f"Bearer {token}"}
    projects = next(c for c in SERVICES if c.name == "projects")
    with bench_server() as server, scratch(server, f"anju_bench_gw_{os.getpid()}") as url:
        assert DEPLOYABLE.migrations is not None
        assert GATEWAY_DEPLOYABLE.migrations is not None
        upgrade(DEPLOYABLE.migrations, url)
        upgrade(GATEWAY_DEPLOYABLE.migrations, url)
        asyncio.run(seed_demo(ProjectsSettings(database_url=url, log_level="WARNING")))
        project_env = {"PROJECTS_DATABASE_URL": url, "PROJECTS_JWKS_JSON": json.dumps(key_set)}
        with running(projects, project_env, free_port()) as direct_base:
            gw_env = {f"GATEWAY_{c.name.upper()}_URL": direct_base for c in SERVICES}
            gw_env["GATEWAY_DATABASE_URL"] = url
            with running(GATEWAY, gw_env, free_port()) as gateway_base:
                pid = asyncio.run(first_project_id(direct_base, auth))
                path = f"/api/v1/projects/projects/{pid}"
                results = compare({"direct": (direct_base, auth), "gateway": (gateway_base, auth)}, path,
                                  rounds=args.rounds, seconds=args.seconds, concurrency=args.concurrency)
    direct, via = results["direct"], results["gateway"]
    ratio = via.rps / direct.rps if direct.rps else 0.0
    print(f"direct_rps: {direct.rps:.0f} req/s, gateway_rps: {via.rps:.0f} req/s, ratio: {ratio:.2f}, "
          f"target_ratio: 0.50, concurrency: {args.concurrency}")
    return 0 if direct.errors == 0 and via.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
