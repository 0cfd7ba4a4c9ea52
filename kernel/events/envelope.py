"""Domain events: typed payloads in a versioned envelope. Pure: no I/O.

A use case adds an event to its session (``kernel.records.Outbox.emit``); it
commits with the change. Each service publishes its outbox as a feed in commit
order, guarded by PostgreSQL's transaction-visibility fence (see
``kernel.records.Outbox.feed``); consumers keep a cursor and apply each event
once.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kernel.errors import FieldError, Invalid


class EventPayload(BaseModel):
    """Base of every event payload: subclasses name their type and version."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


class EventEnvelope(BaseModel):
    """What the feed carries: the event's identity, origin and payload."""

    id: uuid.UUID = Field(description="事件 ID（全局唯一，用于去重）")
    type: str = Field(description="事件类型，如 projects.project.changed")
    version: int = Field(description="载荷版本")
    aggregate_type: str
    aggregate_id: str
    occurred_at: dt.datetime
    region_code: str | None = None
    project_id: uuid.UUID | None = None
    request_id: str | None = None
    payload: dict[str, Any]
    cursor: str = Field(description="该事件在源服务事件流中的位置")


#: What a consumer calls for each event: (session, envelope) in the consumer's transaction.
Handler = Callable[[Any, EventEnvelope], Awaitable[None]]
#: The same for a run of consecutive events of one type, in feed order (one statement for many).
BatchHandler = Callable[[Any, list[EventEnvelope]], Awaitable[None]]


class BadEventCursor(Invalid):
    code = "events.bad_cursor"
    title_zh = "事件游标无效"
    title_en = "Invalid event cursor"


START = "0.0"


def encode_position(txid: int, seq: int) -> str:
    """A feed position: the committing transaction's id, then the outbox row id."""
    return f"{txid}.{seq}"


def decode_position(cursor: str) -> tuple[int, int]:
    txid, _, seq = cursor.partition(".")
    if not (txid.isdigit() and seq.isdigit()) or len(cursor) > 40:
        raise BadEventCursor(errors=[FieldError("query.after", "bad_cursor", "事件游标无效")])
    return int(txid), int(seq)


def payload_schemas(payloads: list[type[EventPayload]]) -> dict[str, dict[str, Any]]:
    """JSON schemas of the payloads, keyed ``<type>.v<version>``, for ``openapi/events/``."""
    out: dict[str, dict[str, Any]] = {}
    for p in payloads:
        schema = p.model_json_schema()
        schema["x-event-type"] = p.event_type
        schema["x-event-version"] = p.event_version
        out[f"{p.event_type}.v{p.event_version}"] = schema
    return out
