"""Kernel tables that live in every service's own schema: the audit trail and
idempotency keys. A service adds them to its metadata (so its migrations
create them) and hands the resulting objects to the app factory."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    and_,
    delete,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import UserDefinedType

from kernel.audit import GENESIS, chain_hash, first_broken, jsonable
from kernel.auth import DataScope, Principal
from kernel.events import EventEnvelope, EventPayload, decode_position, encode_position
from kernel.pagination import PageRequest, PageResult, decode_cursor, encode_cursor
from kernel.requestid import current_client_ip, current_request_id


class XID8(UserDefinedType[int]):
    """PostgreSQL's 64-bit transaction id type."""

    cache_ok = True

    def get_col_spec(self, **kw: Any) -> str:
        return "xid8"


def audit_table(metadata: MetaData) -> Table:
    return Table(
        "audit_log", metadata,
        Column("id", BigInteger, Identity(always=False), primary_key=True),
        Column("occurred_at", DateTime(timezone=True), nullable=False),
        Column("actor", String(200), nullable=False),
        Column("actor_name", String(200), nullable=False),
        Column("actor_roles", ARRAY(String(40)), nullable=False),
        Column("action", String(80), nullable=False),
        Column("entity_type", String(80), nullable=False),
        Column("entity_id", String(80), nullable=False),
        Column("region_code", String(12)),
        Column("project_id", String(36)),
        Column("before", JSONB),
        Column("after", JSONB),
        Column("request_id", String(128)),
        Column("client_ip", String(64)),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False, unique=True),
        Index(None, "entity_type", "entity_id"),
        Index(None, "occurred_at"),
    )


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


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_key", metadata,
        Column("subject", String(200), primary_key=True),
        Column("key", String(200), primary_key=True),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("headers", JSONB, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    )


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    checked: int
    first_broken_id: int | None


class AuditTrail:
    def __init__(self, table: Table) -> None:
        self.table = table
        self.lock_name = f"{table.schema}.{table.name}"

    async def record(self, session: AsyncSession, *, actor: Principal, action: str, entity_type: str,
                     entity_id: Any, region_code: str | None = None, project_id: Any = None,
                     before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
        """Append one entry in the caller's transaction. The chain is serialized by a
        transaction-scoped advisory lock, so call this last, just before the commit."""
        t = self.table
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": self.lock_name})
        prev = await session.scalar(select(t.c.hash).order_by(t.c.id.desc()).limit(1)) or GENESIS
        next_id = await session.scalar(select(func.nextval(func.pg_get_serial_sequence(
            f"{t.schema}.{t.name}", "id"))))
        entry: dict[str, Any] = {
            "id": int(next_id or 0),
            "occurred_at": dt.datetime.now(dt.UTC),
            "actor": actor.subject,
            "actor_name": actor.name,
            "actor_roles": sorted(r.value for r in actor.roles),
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "region_code": region_code,
            "project_id": str(project_id) if project_id is not None else None,
            "before": jsonable(before) if before is not None else None,
            "after": jsonable(after) if after is not None else None,
            "request_id": current_request_id(),
            "client_ip": current_client_ip(),
            "prev_hash": prev,
        }
        entry["hash"] = chain_hash(entry)
        await session.execute(t.insert().values(**entry))

    async def verify(self, session: AsyncSession, batch: int = 5000) -> AuditCheck:
        """Recompute the whole chain in id order; report the first broken link."""
        t = self.table
        last_id, prev, checked = 0, GENESIS, 0
        while True:
            rows = await session.execute(select(t).where(t.c.id > last_id).order_by(t.c.id).limit(batch))
            chunk = [dict(r) for r in rows.mappings()]
            if not chunk:
                return AuditCheck(True, checked, None)
            broken, n, prev = first_broken(chunk, prev)
            checked += n
            if broken is not None:
                return AuditCheck(False, checked, broken)
            last_id = int(chunk[-1]["id"])

    async def page(self, session: AsyncSession, scope: DataScope, page: PageRequest, *,
                   entity_type: str | None = None, entity_id: str | None = None, actor: str | None = None,
                   action: str | None = None, since: dt.datetime | None = None,
                   until: dt.datetime | None = None) -> PageResult[dict[str, Any]]:
        t = self.table
        stmt = select(t)
        if not scope.unrestricted:
            clauses = []
            if scope.region_prefix:
                clauses.append(t.c.region_code.startswith(scope.region_prefix, autoescape=True))
            if scope.project_ids:
                clauses.append(t.c.project_id.in_([str(p) for p in scope.project_ids]))
            stmt = stmt.where(or_(*clauses) if clauses else text("false"))
        for col, value in ((t.c.entity_type, entity_type), (t.c.entity_id, entity_id), (t.c.actor, actor),
                           (t.c.action, action)):
            if value is not None:
                stmt = stmt.where(col == value)
        if since is not None:
            stmt = stmt.where(t.c.occurred_at >= since)
        if until is not None:
            stmt = stmt.where(t.c.occurred_at < until)
        if page.cursor is not None:
            (last,) = decode_cursor(page.cursor, 1)
            stmt = stmt.where(t.c.id < int(last)) if last.isdigit() else stmt.where(text("false"))
        rows = [dict(r) for r in (await session.execute(stmt.order_by(t.c.id.desc()).limit(page.limit + 1))).mappings()]
        cursor = encode_cursor([rows[page.limit - 1]["id"]]) if len(rows) > page.limit else None
        return PageResult(items=rows[: page.limit], next_cursor=cursor)


@dataclass(frozen=True)
class StoredResponse:
    request_hash: str
    status_code: int
    headers: dict[str, str]
    body: bytes


class IdempotencyStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def try_lock(self, session: AsyncSession, subject: str, key: str) -> bool:
        """False while another transaction holds the same key (the first is still running)."""
        return bool(await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:s), hashtext(:k))"), {"s": subject, "k": key}))

    async def find(self, session: AsyncSession, subject: str, key: str) -> StoredResponse | None:
        t = self.table
        row = (await session.execute(select(t).where(and_(
            t.c.subject == subject, t.c.key == key, t.c.expires_at > func.now())))).mappings().first()
        if row is None:
            return None
        return StoredResponse(row["request_hash"], row["status_code"], dict(row["headers"]), bytes(row["body"]))

    async def save(self, session: AsyncSession, subject: str, key: str, stored: StoredResponse,
                   ttl: dt.timedelta) -> None:
        t = self.table
        await session.execute(delete(t).where(and_(t.c.subject == subject, t.c.key == key)))  # an expired one
        await session.execute(t.insert().values(
            subject=subject, key=key, request_hash=stored.request_hash, status_code=stored.status_code,
            headers=stored.headers, body=stored.body, expires_at=func.now() + ttl))

    async def purge_expired(self, session: AsyncSession) -> int:
        result = await session.execute(delete(self.table).where(self.table.c.expires_at <= func.now()))
        return int(getattr(result, "rowcount", 0) or 0)


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


@dataclass(frozen=True)
class KernelRecords:
    audit: AuditTrail
    idempotency: IdempotencyStore
    outbox: Outbox
    inbox: Inbox


def kernel_records(metadata: MetaData) -> KernelRecords:
    """Add the kernel's tables to a service's metadata (its migrations create them)."""
    return KernelRecords(AuditTrail(audit_table(metadata)), IdempotencyStore(idempotency_table(metadata)),
                         Outbox(outbox_table(metadata)), Inbox(*inbox_tables(metadata)))


