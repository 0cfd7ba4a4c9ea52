"""Fixtures every folder may use: one PostgreSQL per run (``TEST_DATABASE_URL`` or
embedded) and on it a fresh database migrated with Alembic, one per pytest-xdist
worker. Each service's folder has its own conftest for its app and clients."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.db import scratch_database, test_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    with test_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(pg_server: str) -> Iterator[str]:
    with scratch_database(pg_server, f"anju_test_{os.getpid()}") as url:
        yield url
