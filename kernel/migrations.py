"""Alembic, one history per service: the version table lives in the service's
own schema, and autogenerate only ever looks at that schema, so one service's
migrations never touch another's objects.

A service's ``env.py`` is two lines: import its metadata, call ``run_env``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.settings import normalize_database_url

FILE_TEMPLATE = "%%(year)d%%(month).2d%%(day).2d_%%(slug)s_%%(rev)s"


def alembic_config(script_location: Path, url: str | None = None, *,
                   connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(script_location))
    cfg.set_main_option("file_template", FILE_TEMPLATE)
    cfg.set_main_option("timezone", "UTC")
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", normalize_database_url(url).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _configure_and_run(connection: Connection, metadata: MetaData) -> None:
    schema = metadata.schema
    assert schema, "service metadata must name its schema"
    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))

    def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
        if type_ == "schema":
            return name == schema
        return True

    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table_schema=schema,
        include_schemas=True,
        include_name=include_name,
        compare_type=True,
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_env(metadata: MetaData) -> None:
    """Body of every service's ``env.py`` (online mode only)."""
    config = context.config
    given = config.attributes.get("connection")
    if given is not None:
        _configure_and_run(given, metadata)
        return

    async def _run() -> None:
        engine = create_async_engine(config.get_main_option("sqlalchemy.url") or "")
        try:
            async with engine.connect() as conn:
                await conn.run_sync(_configure_and_run, metadata)
                await conn.commit()
        finally:
            await engine.dispose()

    asyncio.run(_run())


def upgrade(script_location: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(script_location, url), revision)


def downgrade(script_location: Path, url: str, revision: str) -> None:
    command.downgrade(alembic_config(script_location, url), revision)


def revisions_base_to_head(script_location: Path) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(script_location))
    return [rev.revision for rev in reversed(list(script.walk_revisions("base", "heads")))]


def current_revision(connection: Connection, schema: str) -> str | None:
    ctx = MigrationContext.configure(connection, opts={"version_table_schema": schema})
    return ctx.get_current_revision()
