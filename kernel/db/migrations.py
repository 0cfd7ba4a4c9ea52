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


# --- helpers for migration scripts -------------------------------------------------------------
# The service's application role does not own its tables, so row-level security
# applies to it; the audit table is append-only for it. The role is cluster-wide
# and is created when the migrating user may (otherwise a DBA creates it).


def create_app_role_sql(schema: str, role: str) -> list[str]:
    return [
        f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN CREATE ROLE "{role}" NOLOGIN; END IF;
  BEGIN EXECUTE 'GRANT "{role}" TO ' || quote_ident(current_user);
  EXCEPTION WHEN insufficient_privilege OR invalid_grant_operation THEN NULL; END;
END $$""",
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        f'REVOKE ALL ON "{schema}".alembic_version FROM "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
    ]


def drop_app_grants_sql(schema: str, role: str) -> list[str]:
    return [
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" REVOKE ALL ON TABLES FROM "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" REVOKE ALL ON SEQUENCES FROM "{role}"',
        f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM "{role}"',
        f'REVOKE ALL ON ALL SEQUENCES IN SCHEMA "{schema}" FROM "{role}"',
        f'REVOKE USAGE ON SCHEMA "{schema}" FROM "{role}"',
    ]


def audit_append_only_sql(schema: str, role: str) -> list[str]:
    """No UPDATE or DELETE on the audit log: not granted to the app, and refused by a trigger."""
    return [
        f'REVOKE UPDATE, DELETE, TRUNCATE ON "{schema}".audit_log FROM "{role}"',
        f"""CREATE OR REPLACE FUNCTION "{schema}".audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$""",
        f"""CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON "{schema}".audit_log
FOR EACH ROW EXECUTE FUNCTION "{schema}".audit_log_append_only()""",
    ]


def drop_audit_append_only_sql(schema: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS audit_log_append_only ON "{schema}".audit_log',
        f'DROP FUNCTION IF EXISTS "{schema}".audit_log_append_only()',
    ]


def scope_rls_sql(schema: str, table: str, region_column: str, project_column: str | None) -> list[str]:
    """Row-level security by the caller's scope (see ``kernel.db.session.apply_scope``): the second
    line behind the scoped queries. With no scope set, the app role sees nothing."""
    project_clause = (
        f" OR {project_column}::text = ANY (string_to_array("
        f"coalesce(current_setting('anju.scope_projects', true), ''), ','))"
        if project_column else ""
    )
    rule = (
        "coalesce(current_setting('anju.scope_all', true), 'off') = 'on'"
        " OR (coalesce(current_setting('anju.scope_region', true), '') <> ''"
        f" AND {region_column} LIKE current_setting('anju.scope_region', true) || '%')"
        + project_clause
    )
    return [
        f'ALTER TABLE "{schema}"."{table}" ENABLE ROW LEVEL SECURITY',
        f'CREATE POLICY scope ON "{schema}"."{table}" USING ({rule}) WITH CHECK ({rule})',
    ]


def drop_scope_rls_sql(schema: str, table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS scope ON "{schema}"."{table}"',
        f'ALTER TABLE "{schema}"."{table}" DISABLE ROW LEVEL SECURITY',
    ]


def child_rls_sql(schema: str, table: str, parent_table: str, fk_column: str, parent_key: str = "id") -> list[str]:
    """Row-level security for rows that belong to a scoped parent (a task to its project):
    a row is visible exactly when its parent is, because the subquery on the parent is
    itself filtered by the parent's policy. No region is copied into the child, so moving
    a project to another region moves its children's visibility with it."""
    rule = (f'EXISTS (SELECT 1 FROM "{schema}"."{parent_table}" p '
            f'WHERE p.{parent_key} = "{schema}"."{table}".{fk_column})')
    return [
        f'ALTER TABLE "{schema}"."{table}" ENABLE ROW LEVEL SECURITY',
        f'CREATE POLICY scope ON "{schema}"."{table}" USING ({rule}) WITH CHECK ({rule})',
    ]
