"""The database for local runs, tests and benchmarks.

``DATABASE_URL`` (or per-service ``<PREFIX>DATABASE_URL``) names a real server;
without one, a private PostgreSQL 16 from the ``pgserver`` package is started
with its data under ``.anju/`` (git-ignored), and each service and the gateway
get their own database on it, as in production.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from scripts.components import WITH_DATABASE

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / ".anju"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def with_database(url: str, database: str) -> str:
    """The same server URL with another database name (query such as ?host= kept)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def _admin(url: str, sql: str) -> None:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _exists(url: str, database: str) -> bool:
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return bool(await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database))
    finally:
        await conn.close()


def create_database(server_url: str, database: str, *, replace: bool = False) -> str:
    """Create ``database`` on the server (dropping it first if ``replace``); return its URL."""
    if not _DB_NAME.match(database):
        raise ValueError(f"unsafe database name: {database}")
    admin = with_database(server_url, "postgres")

    async def run() -> None:
        if replace:
            await _admin(admin, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        if not await _exists(admin, database):
            await _admin(admin, f'CREATE DATABASE "{database}"')

    asyncio.run(run())
    return with_database(server_url, database)


def drop_database(server_url: str, database: str) -> None:
    if not _DB_NAME.match(database):
        raise ValueError(f"unsafe database name: {database}")
    asyncio.run(_admin(with_database(server_url, "postgres"), f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


@contextmanager
def embedded_server(name: str = "pgdata", *, keep: bool = True) -> Iterator[str]:
    """Start (or join) the private PostgreSQL under ``.anju/<name>``; yields the server URL.
    Processes that name the same directory share one server (pgserver starts it under an
    inter-process lock and stops it when the last of them leaves); ``keep=False`` deletes
    the data directory then."""
    DATA_DIR.mkdir(exist_ok=True)
    if not os.environ.get("XDG_RUNTIME_DIR"):  # pgserver's platformdirs wants one; keep it with the data
        (DATA_DIR / "run").mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(DATA_DIR / "run")
    import pgserver  # imported here: only needed without a DATABASE_URL

    server = pgserver.get_server(DATA_DIR / name, cleanup_mode="stop" if keep else "delete")  # type: ignore[attr-defined]
    try:
        yield server.get_uri()
    finally:
        server.cleanup()


def service_urls_from_env() -> dict[str, str] | None:
    """Per-deployable URLs (services and gateway) when the environment names a server;
    None to use the embedded one."""
    common = os.environ.get("DATABASE_URL")
    named = {c.name: os.environ.get(f"{c.env_prefix}DATABASE_URL") or common for c in WITH_DATABASE}
    if not any(named.values()):
        return None
    missing = [f"{c.env_prefix}DATABASE_URL" for c in WITH_DATABASE if not named[c.name]]
    if missing:
        # Half a configuration is a mistake, not a reason to quietly use another database.
        raise SystemExit(f"some databases are named and some are not; set DATABASE_URL or also {', '.join(missing)}")
    return {name: str(url) for name, url in named.items()}


def per_service_databases(server_url: str, prefix: str = "anju") -> dict[str, str]:
    """One database per service (and one for the gateway) on one server, as in production."""
    return {c.name: create_database(server_url, f"{prefix}_{c.name}") for c in WITH_DATABASE}
