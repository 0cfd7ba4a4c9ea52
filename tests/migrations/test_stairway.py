"""Every service's migrations go up, down and up again, one revision at a
time, each in its own schema, and never touch another service's objects."""

from __future__ import annotations

import asyncio
import os

import asyncpg
import pytest

from kernel.db.migrations import downgrade, revisions_base_to_head, upgrade
from scripts.components import WITH_DATABASE
from scripts.localdb import asyncpg_dsn
from tests.support.db import migrations_of, scratch_database


def _objects(url: str) -> dict[str, set[str]]:
    """Tables, indexes, sequences and views per schema (system schemas left out)."""

    async def run() -> dict[str, set[str]]:
        conn = await asyncpg.connect(asyncpg_dsn(url))
        try:
            rows = await conn.fetch(
                "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
            )
        finally:
            await conn.close()
        out: dict[str, set[str]] = {}
        for r in rows:
            out.setdefault(r["nspname"], set()).add(r["relname"])
        return out

    return asyncio.run(run())


@pytest.fixture(scope="module")
def stairway_db(pg_server: str):
    with scratch_database(pg_server, f"anju_stairway_{os.getpid()}", migrated=False) as url:
        yield url


@pytest.mark.parametrize("service", [c.name for c in WITH_DATABASE])
def test_stairway(stairway_db: str, service: str) -> None:
    location = migrations_of(service)
    revisions = revisions_base_to_head(location)
    assert revisions, f"{service} has no migrations"
    previous = "base"
    for rev in revisions:
        upgrade(location, stairway_db, rev)
        downgrade(location, stairway_db, previous)
        upgrade(location, stairway_db, rev)
        previous = rev
    # Down to nothing: only the version table remains in the service's schema.
    downgrade(location, stairway_db, "base")
    assert _objects(stairway_db).get(service, set()) <= {"alembic_version", "pk_alembic_version",
                                                         "alembic_version_pkc"}
    upgrade(location, stairway_db, "head")


def test_services_keep_to_their_own_schema(stairway_db: str) -> None:
    for c in WITH_DATABASE:
        upgrade(migrations_of(c.name), stairway_db, "head")
    before = _objects(stairway_db)
    assert {c.name for c in WITH_DATABASE} <= set(before)
    assert "public" not in before or not before["public"], "no service writes to the public schema"
    # Taking one service all the way down leaves every other schema exactly as it was.
    downgrade(migrations_of("projects"), stairway_db, "base")
    after = _objects(stairway_db)
    for c in WITH_DATABASE:
        if c.name != "projects":
            assert after[c.name] == before[c.name]
    upgrade(migrations_of("projects"), stairway_db, "head")
    assert _objects(stairway_db) == before
