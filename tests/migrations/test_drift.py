"""The models and the migrations describe the same schema: at head, Alembic's
comparison of each service's metadata with its database finds nothing to do."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from kernel.settings import normalize_database_url
from scripts.components import WITH_DATABASE


def metadata_of(module: str) -> MetaData:
    for name in (f"{module}.schema", f"{module}.database"):
        try:
            return importlib.import_module(name).Base.metadata  # type: ignore[no-any-return]
        except ModuleNotFoundError:
            continue
    raise LookupError(module)


@pytest.mark.filterwarnings("ignore:Did not recognize type 'xid8'")
@pytest.mark.parametrize("component", WITH_DATABASE, ids=[c.name for c in WITH_DATABASE])
async def test_models_match_migrations(database_url: str, component: Any) -> None:
    metadata = metadata_of(component.module)
    schema = metadata.schema

    def compare(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={
            "include_schemas": True,
            "compare_type": True,
            "include_name": lambda name, type_, parents: (
                name == schema if type_ == "schema" else not (type_ == "table" and name == "alembic_version")),
        })
        return list(compare_metadata(context, metadata))

    engine = create_async_engine(normalize_database_url(database_url))
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(compare)
    finally:
        await engine.dispose()
    assert diff == [], f"{component.name}: models and migrations differ: {diff[:10]}"
