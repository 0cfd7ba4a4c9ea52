"""Auth overhead: an authenticated, scoped read (token verified, scope in the query,
row-level security on) against the same read with every check disabled (no token,
no scope, no RLS), side by side in one run, interleaved rounds.

Target (issue 3): checked throughput >= 0.8 x unchecked.
Usage: python bench/auth_overhead.py [--seconds 5] [--rounds 3] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from bench.support import bench_server, bench_token, compare, scratch
from kernel.db.migrations import upgrade
from scripts.components import SERVICES
from scripts.processes import free_port, running
from services.projects.__main__ import DEPLOYABLE
from services.projects.demo.seed import demo_project_id, seed_demo
from services.projects.settings import ProjectsSettings


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    token, key_set = bench_token("district_commander", "430903000000")
    projects = next(c for c in SERVICES if c.name == "projects")
    path = f"/api/v1/projects/projects/{demo_project_id('YY-PG-2022-003')}"  # in 赫山区: inside the token's scope
    with bench_server() as server, scratch(server, f"anju_bench_auth_{os.getpid()}") as url:
        assert DEPLOYABLE.migrations is not None
        upgrade(DEPLOYABLE.migrations, url)
        asyncio.run(seed_demo(ProjectsSettings(database_url=url, log_level="WARNING")))
        checked_env = {"PROJECTS_DATABASE_URL": url, "PROJECTS_JWKS_JSON": json.dumps(key_set)}
        unchecked_env = {"PROJECTS_DATABASE_URL": url, "PROJECTS_AUTH_MODE": "off", "PROJECTS_DB_RLS": "false",
                         "PROJECTS_DB_ROLE": "", "PROJECTS_ENVIRONMENT": "test"}  # auth off: never production
        with running(projects, checked_env, free_port()) as checked_base, \
                running(projects, unchecked_env, free_port()) as unchecked_base:
            auth = {"Authorization": f"Bearer {token}"}
            assert httpx.get(checked_base + path, headers=auth).status_code == 200
            assert httpx.get(checked_base + path).status_code == 401  # the checks are really on
            assert httpx.get(unchecked_base + path).status_code == 200
            results = compare({"checked": (checked_base, auth), "unchecked": (unchecked_base, None)}, path,
                              rounds=args.rounds, seconds=args.seconds, concurrency=args.concurrency)
    checked, unchecked = results["checked"], results["unchecked"]
    ratio = checked.rps / unchecked.rps if unchecked.rps else 0.0
    print(f"checked_rps: {checked.rps:.0f} req/s, unchecked_rps: {unchecked.rps:.0f} req/s, ratio: {ratio:.2f}, "
          f"target_ratio: 0.80, concurrency: {args.concurrency}")
    return 0 if checked.errors == 0 and unchecked.errors == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
