"""Stored responses of ``Idempotency-Key`` requests: the table, a transaction-scoped lock per key,
and look-up, save and purge (the HTTP side: ``kernel.idempotency.web``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    and_,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession


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
