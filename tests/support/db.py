"""The test database server: ``TEST_DATABASE_URL`` (a server URL such as
``postgresql://postgres@127.0.0.1:5432/postgres``) or the embedded PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module

from kernel.db.migrations import upgrade
from scripts.components import WITH_DATABASE
from scripts.localdb import create_database, drop_database, embedded_server


@contextmanager
def test_server() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    with embedded_server("pgdata-test") as server:
        yield server


def migrations_of(service: str):
    component = next(c for c in WITH_DATABASE if c.name == service)
    return import_module(f"{component.module}.__main__").DEPLOYABLE.migrations


def migrate_all(url: str) -> None:
    """Every service's (and the gateway's) migrations, each into its own schema of one database."""
    for c in WITH_DATABASE:
        upgrade(migrations_of(c.name), url)


@contextmanager
def scratch_database(server_url: str, name: str, *, migrated: bool = True) -> Iterator[str]:
    url = create_database(server_url, name, replace=True)
    try:
        if migrated:
            migrate_all(url)
        yield url
    finally:
        drop_database(server_url, name)
