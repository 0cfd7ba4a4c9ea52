"""The audit trail's table and store: append one hash-chained entry in the caller's
transaction, verify the chain, page through it within a caller's scope (hashing: ``kernel.audit.chain``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    String,
    Table,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.audit.chain import GENESIS, chain_hash, first_broken, jsonable
from kernel.auth.principal import DataScope, Principal
from kernel.pagination import PageRequest, PageResult, cursor_int, decode_cursor, encode_cursor
from kernel.requestid import current_client_ip, current_request_id


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
            stmt = stmt.where(t.c.id < cursor_int(last))
        rows = [dict(r) for r in (await session.execute(stmt.order_by(t.c.id.desc()).limit(page.limit + 1))).mappings()]
        cursor = encode_cursor([rows[page.limit - 1]["id"]]) if len(rows) > page.limit else None
        return PageResult(items=rows[: page.limit], next_cursor=cursor)
