"""Real processes over real HTTP: the four services and the gateway, started
with the commands ``make run`` uses, against a database of their own."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from scripts.components import GATEWAY, SERVICES
from tests.support.db import scratch_database
from tests.support.processes import free_port, running


@pytest.fixture(scope="session")
def e2e_database(pg_server: str) -> Iterator[str]:
    with scratch_database(pg_server, f"anju_e2e_{os.getpid()}") as url:
        yield url


@pytest.fixture(scope="session")
def stack(e2e_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs = tmp_path_factory.mktemp("e2e-logs")
    urls: dict[str, str] = {}
    with ExitStack() as stack:
        env: dict[str, str] = {}
        for c in SERVICES:
            port = free_port()
            urls[c.name] = stack.enter_context(
                running(c, {f"{c.env_prefix}DATABASE_URL": e2e_database}, port, logs, ready_path="/readyz"))
            env[f"GATEWAY_{c.name.upper()}_URL"] = urls[c.name]
        urls["gateway"] = stack.enter_context(running(GATEWAY, env, free_port(), logs, ready_path="/readyz"))
        yield urls


@pytest.fixture(scope="session")
def log_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e2e-extra-logs")
