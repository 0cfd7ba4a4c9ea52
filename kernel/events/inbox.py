"""A consumer's memory: its cursor per producer, the events it applied (duplicates are recognized
by id), and the events that kept failing (dead letters)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.events.envelope import EventEnvelope


def inbox_tables(metadata: MetaData) -> tuple[Table, Table, Table]:
    cursor = Table(
        "consumer_cursor", metadata,
        Column("producer", String(40), primary_key=True),
        Column("position", String(40), nullable=False),
        Column("applied", BigInteger, nullable=False, server_default=text("0")),
        Column("last_event_at", DateTime(timezone=True)),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    )
    processed = Table(
        "processed_event", metadata,
        Column("event_id", Uuid, primary_key=True),
        Column("producer", String(40), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now(), index=True),
    )
    dead = Table(
        "dead_letter", metadata,
        Column("id", BigInteger, Identity(always=False), primary_key=True),
        Column("producer", String(40), nullable=False),
        Column("event_id", Uuid, nullable=False),
        Column("type", String(120), nullable=False),
        Column("envelope", JSONB, nullable=False),
        Column("error", Text, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("replayed_at", DateTime(timezone=True)),
    )
    return cursor, processed, dead


class Inbox:
    """What a consumer remembers: its cursor per producer, the events it applied
    (duplicates are recognized by id), and the events that kept failing."""

    def __init__(self, cursor: Table, processed: Table, dead: Table) -> None:
        self.cursor, self.processed, self.dead = cursor, processed, dead

    async def position(self, session: AsyncSession, producer: str) -> str:
        value = await session.scalar(select(self.cursor.c.position).where(self.cursor.c.producer == producer))
        return str(value) if value else "0.0"

    async def seen_among(self, session: AsyncSession, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these events were applied already (one query for a whole batch)."""
        if not event_ids:
            return set()
        rows = await session.scalars(select(self.processed.c.event_id).where(self.processed.c.event_id.in_(event_ids)))
        return set(rows)

    async def mark(self, session: AsyncSession, producer: str, event_ids: list[uuid.UUID]) -> None:
        """Record events as applied (clock time, for lag measurements)."""
        if event_ids:
            await session.execute(self.processed.insert().values(processed_at=func.clock_timestamp()),
                                  [{"event_id": e, "producer": producer} for e in event_ids])

    async def advance(self, session: AsyncSession, producer: str, position: str, last_event_at: dt.datetime,
                      applied: int) -> None:
        from sqlalchemy.dialects.postgresql import insert

        c = self.cursor
        stmt = insert(c).values(producer=producer, position=position, applied=applied, last_event_at=last_event_at,
                                updated_at=func.now())
        await session.execute(stmt.on_conflict_do_update(index_elements=[c.c.producer], set_={
            "position": position, "applied": c.c.applied + applied, "last_event_at": last_event_at,
            "updated_at": func.now()}))

    async def bury(self, session: AsyncSession, producer: str, envelope: EventEnvelope, error: str,
                   attempts: int) -> None:
        await session.execute(self.dead.insert().values(
            producer=producer, event_id=envelope.id, type=envelope.type,
            envelope=envelope.model_dump(mode="json"), error=error[:4000], attempts=attempts))

    async def held_aggregates(self, session: AsyncSession, producer: str) -> dict[tuple[str, str], int]:
        """The aggregates with a dead letter not yet replayed, each with its first dead letter's
        id: their later events must wait behind it (one query; the table is normally empty)."""
        d = self.dead
        kind, ident = d.c.envelope["aggregate_type"].astext, d.c.envelope["aggregate_id"].astext
        rows = await session.execute(select(kind, ident, func.min(d.c.id)).where(
            d.c.producer == producer, d.c.replayed_at.is_(None)).group_by(kind, ident))
        return {(str(k), str(i)): int(first) for k, i, first in rows.tuples()}

    async def earlier_dead_letter(self, session: AsyncSession, row: dict[str, Any]) -> int | None:
        """A dead letter of the same producer and aggregate, before this one and not replayed."""
        d = self.dead
        envelope = row["envelope"]
        first = await session.scalar(select(func.min(d.c.id)).where(
            d.c.producer == row["producer"], d.c.id < row["id"], d.c.replayed_at.is_(None),
            d.c.envelope["aggregate_type"].astext == str(envelope.get("aggregate_type")),
            d.c.envelope["aggregate_id"].astext == str(envelope.get("aggregate_id"))))
        return int(first) if first is not None else None

    async def dead_letter(self, session: AsyncSession, ident: int) -> dict[str, Any] | None:
        row = (await session.execute(select(self.dead).where(self.dead.c.id == ident))).mappings().first()
        return dict(row) if row else None

    async def mark_replayed(self, session: AsyncSession, ident: int) -> None:
        await session.execute(self.dead.update().where(self.dead.c.id == ident).values(replayed_at=func.now()))

    async def dead_letters(self, session: AsyncSession, include_replayed: bool = False) -> list[dict[str, Any]]:
        stmt = select(self.dead).order_by(self.dead.c.id)
        if not include_replayed:
            stmt = stmt.where(self.dead.c.replayed_at.is_(None))
        return [dict(r) for r in (await session.execute(stmt)).mappings()]

    async def cursors(self, session: AsyncSession) -> list[dict[str, Any]]:
        rows = await session.execute(select(self.cursor).order_by(self.cursor.c.producer))
        return [dict(r) for r in rows.mappings()]
