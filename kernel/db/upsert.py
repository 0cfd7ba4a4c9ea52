"""Newest version wins: the upsert every read model fed by events uses.

Events arrive at least once and, across producers, in any order, so a read model keeps
one row per key and accepts a row only when it is newer than the one it holds. Within a
batch only each key's newest row is written (one statement for many)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Table, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession


def newest_by_key(rows: Iterable[Mapping[str, Any]], key: str, version: str) -> list[dict[str, Any]]:
    """Each key's row with the highest version, in the order keys were first seen."""
    newest: dict[Any, dict[str, Any]] = {}
    for row in rows:
        held = newest.get(row[key])
        if held is None or held[version] < row[version]:
            newest[row[key]] = dict(row)
    return list(newest.values())


async def upsert_newest(session: AsyncSession, target: Any, rows: Iterable[Mapping[str, Any]], *, key: str,
                        version: str = "version", replace_equal: bool = False,
                        touched: str | None = None) -> None:
    """Insert ``rows`` into ``target`` (a table or a mapped class); where a row with the same ``key``
    exists, overwrite it only with a newer ``version`` (or an equal one when ``replace_equal``).
    ``touched`` names a timestamp column set to now() on every write."""
    table: Table = getattr(target, "__table__", target)
    values = newest_by_key(rows, key, version)
    if not values:
        return
    stmt = insert(table).values(values)
    held, incoming = table.c[version], stmt.excluded[version]
    newer = held <= incoming if replace_equal else held < incoming
    columns = [c for c in values[0] if c != key]
    set_: dict[str, Any] = {c: stmt.excluded[c] for c in columns}
    if touched is not None:
        set_[touched] = func.now()
    await session.execute(stmt.on_conflict_do_update(index_elements=[table.c[key]], where=newer, set_=set_))
