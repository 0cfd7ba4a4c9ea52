"""The test database server: ``TEST_DATABASE_URL`` (a server URL such as
``postgresql://postgres@127.0.0.1:5432/postgres``) or the embedded PostgreSQL,
shared by every pytest-xdist worker (pgserver starts it once, under its own
inter-process lock, and stops it when the last user leaves) and given the
services' application roles before first use; scratch databases on it, each
named uniquely per worker process by its caller, and dropped after."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path

import asyncpg

from kernel.db.migrations import upgrade
from scripts.components import WITH_DATABASE
from scripts.localdb import asyncpg_dsn, create_database, drop_database, embedded_server, with_database


@contextmanager
def test_server() -> Iterator[str]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with_app_roles(url)
        yield url
        return
    with embedded_server("pgdata-test") as server:
        with_app_roles(server)
        yield server


@contextmanager
def private_server() -> Iterator[str]:
    """An embedded PostgreSQL of this process alone (its data deleted on exit), whatever
    ``TEST_DATABASE_URL`` says. For tests that read an outbox feed: its visibility fence
    (``pg_current_snapshot()``) counts every open transaction on the server, so on a shared
    server another xdist worker's (or another run's) open transaction holds the feed back."""
    with embedded_server(f"pgdata-private-{os.getpid()}", keep=False) as server:
        yield server  # no with_app_roles: this process is the only one to migrate here


# The application role each deployable's migrations create (``anju_<service>_app``, README).
APP_ROLES = tuple(f"anju_{c.name}_app" for c in WITH_DATABASE)


def with_app_roles(server_url: str) -> None:
    """Make sure the server has the application roles before tests migrate databases on it.
    Roles are cluster-wide and migrations create them with a check-then-create that two
    concurrent migrations (two xdist workers on a fresh server) can both pass; so the first
    migration on a server runs alone, under a lock file shared by every process on the machine."""
    key = hashlib.sha256(server_url.encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"anju-roles-{key}.lock").open("ab") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not _have_roles(server_url):
                with scratch_database(server_url, f"anju_roles_{os.getpid()}"):
                    pass
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _have_roles(server_url: str) -> bool:
    async def run() -> bool:
        conn = await asyncpg.connect(asyncpg_dsn(with_database(server_url, "postgres")))
        try:
            found = await conn.fetchval("SELECT count(*) FROM pg_roles WHERE rolname = ANY($1::text[])",
                                        list(APP_ROLES))
        finally:
            await conn.close()
        return int(found) == len(APP_ROLES)

    return asyncio.run(run())


def migrations_of(service: str):
    component = next(c for c in WITH_DATABASE if c.name == service)
    return import_module(f"{component.module}.__main__").DEPLOYABLE.migrations


def migrate_all(url: str) -> None:
    """Every service's (and the gateway's) migrations, each into its own schema of one database."""
    for c in WITH_DATABASE:
        upgrade(migrations_of(c.name), url)


@contextmanager
def scratch_database(server_url: str, name: str, *, migrated: bool = True) -> Iterator[str]:
    """A new database ``name`` (replacing a leftover one), migrated unless told otherwise,
    dropped on exit. Callers put the worker's process id in ``name``."""
    url = create_database(server_url, name, replace=True)
    try:
        if migrated:
            migrate_all(url)
        yield url
    finally:
        drop_database(server_url, name)
