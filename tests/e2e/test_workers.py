"""A service started with several worker processes (``<PREFIX>WORKERS``) serves on one port:
each worker builds the app from the environment, verifies tokens and reads the database."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pytest

from kernel.auth.tokens import SigningKey, access_claims, jwks
from scripts.components import SERVICES
from tests.support.processes import free_port, running

pytestmark = pytest.mark.e2e


def test_two_workers_share_the_port(e2e_database: str, tmp_path: Path) -> None:
    import datetime as dt

    key = SigningKey.generate("workers")
    token = key.sign(access_claims(subject="user:w", kind="user", name="多进程", roles=["city_commander"],
                                   region_code="430900000000", audience=["projects"], ttl=dt.timedelta(minutes=5)))
    projects = next(c for c in SERVICES if c.name == "projects")
    env = {"PROJECTS_DATABASE_URL": e2e_database, "PROJECTS_WORKERS": "2",
           "PROJECTS_JWKS_JSON": json.dumps(jwks([key])), "PROJECTS_JOBS_ENABLED": "false",
           "PROJECTS_CONSUME": "false"}
    with running(projects, env, free_port(), tmp_path, ready_path="/readyz") as base:
        pids = set()
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}) as client:
            for _ in range(40):
                # A new connection each time, so that both workers get some.
                r = httpx.get(f"{base}/api/v1/projects/projects", params={"limit": 5},
                              headers={"Authorization": f"Bearer {token}", "Connection": "close"})
                assert r.status_code == 200, r.text
                assert r.json()["items"], "the demo projects are there"
            assert client.get("/api/v1/projects/projects/not-a-uuid").status_code == 422
        port = base.rsplit(":", 1)[1]
        for proc in Path("/proc").iterdir():
            try:
                environ = (proc / "environ").read_bytes().split(b"\0")
            except (OSError, ValueError):
                continue
            if f"PROJECTS_PORT={port}".encode() in environ and b"spawn_main" in (proc / "cmdline").read_bytes():
                pids.add(proc.name)  # a worker the supervisor spawned
        assert len(pids) == 2, f"two worker processes, saw {len(pids)}"
    assert os.environ.get("PROJECTS_WORKERS") is None  # nothing leaks into this process
