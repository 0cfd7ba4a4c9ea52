"""Real processes over real HTTP: the four services and the gateway, started
with the commands ``make run`` uses, against a database of their own. The
gateway's schema is migrated and its demo accounts loaded with its own command
line (as the migration Job and ``make run`` do), the demo projects too, and
every service verifies tokens with the keys the gateway publishes."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from gateway.demo import DEMO_PASSWORD
from scripts.components import GATEWAY, SERVICES, Component, service_env
from scripts.processes import ROOT
from tests.support.db import scratch_database
from tests.support.processes import free_port, running


def run_command(component: Component, args: list[str], env: dict[str, str]) -> None:
    """``python -m <module> <args>`` as a container would run it; fails the test on error."""
    done = subprocess.run([sys.executable, "-m", component.module, *args], env={**os.environ, **env}, cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"{component.module} {' '.join(args)}: {done.stderr[-2000:]}"


@contextmanager
def demo_database(pg_server: str, name: str) -> Iterator[str]:
    """A database of its own, migrated, with the demo users and projects (as ``make run`` has)."""
    with scratch_database(pg_server, name) as url:
        env = {f"{GATEWAY.env_prefix}DATABASE_URL": url}
        run_command(GATEWAY, ["migrate"], env)
        run_command(GATEWAY, ["seed-demo"], env)  # the demo users of README.md
        projects = next(c for c in SERVICES if c.name == "projects")
        run_command(projects, ["seed-demo"], {f"{projects.env_prefix}DATABASE_URL": url})
        yield url


@contextmanager
def whole_stack(database_url: str, logs: Path) -> Iterator[dict[str, str]]:
    """The four services and the gateway on free ports, wired as ``make run`` wires them."""
    urls: dict[str, str] = {}
    gateway_port = free_port()  # first: every service is told where the keys are
    gateway_base = f"http://127.0.0.1:{gateway_port}"
    with ExitStack() as stack:
        env: dict[str, str] = {f"{GATEWAY.env_prefix}DATABASE_URL": database_url}
        ports = {c.name: free_port() for c in SERVICES}  # first: every service is told where the feeds are
        bases = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        for c in SERVICES:
            wiring = {f"{c.env_prefix}DATABASE_URL": database_url,
                      **service_env(c, gateway_base=gateway_base, projects_base=bases["projects"], bases=bases)}
            urls[c.name] = stack.enter_context(running(c, wiring, ports[c.name], logs, ready_path="/readyz"))
            env[f"GATEWAY_{c.name.upper()}_URL"] = urls[c.name]
        urls["gateway"] = stack.enter_context(running(GATEWAY, env, gateway_port, logs, ready_path="/readyz"))
        yield urls


@pytest.fixture(scope="session")
def e2e_database(pg_server: str) -> Iterator[str]:
    with demo_database(pg_server, f"anju_e2e_{os.getpid()}") as url:
        yield url


@pytest.fixture(scope="session")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with whole_stack(e2e_database, tmp_path_factory.mktemp("e2e-logs")) as urls:
        yield urls


def sign_in(gateway: str, username: str, password: str = DEMO_PASSWORD) -> str:
    r = httpx.post(f"{gateway}/api/v1/auth/login", json={"username": username, "password": password}, timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


@pytest.fixture(scope="session")
def admin_headers(stack: dict[str, str]) -> dict[str, str]:
    """The province-wide demo administrator (湖南省)."""
    return {"Authorization": f"Bearer {sign_in(stack['gateway'], 'admin')}"}


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-extra-logs")
