"""Feed a read model the way the consumer does: the projection handler applied to an
envelope, in a transaction that sees every scope (the consumer's own)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from kernel.events.envelope import EventEnvelope, EventPayload


def envelope(payload: EventPayload, project_id: uuid.UUID | str) -> EventEnvelope:
    return EventEnvelope(id=uuid.uuid4(), type=payload.event_type, version=payload.event_version,
                         aggregate_type="test", aggregate_id=str(project_id), occurred_at=dt.datetime.now(dt.UTC),
                         project_id=uuid.UUID(str(project_id)), payload=payload.model_dump(mode="json"),
                         cursor="1.1")


async def apply(db: Database, handlers: dict[str, Any], payload: EventPayload, project_id: uuid.UUID | str) -> None:
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope.everything())
        await handlers[payload.event_type](session, envelope(payload, project_id))
