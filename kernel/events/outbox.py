"""The transactional outbox: events committed with the changes they announce, and the feed that
publishes them in commit order behind PostgreSQL's transaction-visibility fence."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from kernel.events.envelope import EventEnvelope, EventPayload, decode_position, encode_position
from kernel.requestid import current_request_id


class XID8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id type."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


def outbox_table(metadata: MetaData) -> Table:
    """Events committed with the changes they announce. ``txid`` is the id of the
    transaction that wrote the row (``pg_current_xact_id()``): the feed orders by it
    and never passes a transaction that may still commit (the visibility fence)."""
    return Table(
        "outbox_event", metadata,
        Column("id", BigInteger, Identity(always=False), primary_key=True),
        Column("txid", XID8, nullable=False, server_default=text("pg_current_xact_id()")),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("type", String(120), nullable=False),
        Column("version", Integer, nullable=False),
        Column("aggregate_type", String(80), nullable=False),
        Column("aggregate_id", String(80), nullable=False),
        Column("region_code", String(12)),
        Column("project_id", Uuid),
        Column("request_id", String(128)),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("payload", JSONB, nullable=False),
        Index(None, "txid", "id"),
    )


class Outbox:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def emit(self, session: AsyncSession, payload: EventPayload, *, aggregate_type: str, aggregate_id: Any,
                   region_code: str | None = None, project_id: Any = None) -> uuid.UUID:
        """Add an event to the caller's transaction: it is published only if that commits."""
        event_id = uuid.uuid4()
        await session.execute(self.table.insert().values(
            event_id=event_id, type=payload.event_type, version=payload.event_version,
            aggregate_type=aggregate_type, aggregate_id=str(aggregate_id), region_code=region_code,
            project_id=project_id, request_id=current_request_id(), occurred_at=dt.datetime.now(dt.UTC),
            payload=payload.model_dump(mode="json")))
        return event_id

    async def feed(self, session: AsyncSession, after: str, limit: int) -> list[EventEnvelope]:
        """Events after ``after`` in commit order, up to the visibility fence: only rows
        of transactions older than every transaction still running are returned, so a
        transaction that commits later can never add an event before the cursor."""
        txid, seq = decode_position(after)
        t = self.table
        name = f"{t.schema}.{t.name}"
        rows = (await session.execute(
            select(t, text(f"{name}.txid::text AS txid_text"))
            .where(text(f"({name}.txid, {name}.id) > (CAST(:tx AS xid8), :seq)").bindparams(tx=str(txid), seq=seq))
            .where(text(f"{name}.txid < pg_snapshot_xmin(pg_current_snapshot())"))
            .order_by(t.c.txid, t.c.id).limit(limit))).mappings()
        return [EventEnvelope(
            id=r["event_id"], type=r["type"], version=r["version"], aggregate_type=r["aggregate_type"],
            aggregate_id=r["aggregate_id"], occurred_at=r["occurred_at"], region_code=r["region_code"],
            project_id=r["project_id"], request_id=r["request_id"], payload=r["payload"],
            cursor=encode_position(int(r["txid_text"]), int(r["id"]))) for r in rows]


async def feed_backlog(outbox: Outbox, session: AsyncSession, after: str) -> tuple[int, dt.datetime | None]:
    """How many published events follow ``after``, and when the oldest of them occurred."""
    txid, seq = decode_position(after)
    t = outbox.table
    name = f"{t.schema}.{t.name}"
    row = (await session.execute(
        select(func.count(), func.min(t.c.occurred_at))
        .where(text(f"({name}.txid, {name}.id) > (CAST(:tx AS xid8), :seq)").bindparams(tx=str(txid), seq=seq))
        .where(text(f"{name}.txid < pg_snapshot_xmin(pg_current_snapshot())")))).one()
    return int(row[0]), row[1]
