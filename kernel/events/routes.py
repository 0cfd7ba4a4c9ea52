"""Every service's event feed, for the other services' consumers (not routed by
the gateway): events after a cursor, in commit order, long-polled."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FastPath
from pydantic import BaseModel, Field

from kernel.auth.principal import Principal
from kernel.db.session import Database
from kernel.errors import Conflict, NotFound
from kernel.events.envelope import START, EventEnvelope
from kernel.events.inbox import Inbox
from kernel.events.outbox import Outbox, feed_backlog
from kernel.web.auth import Authorize
from kernel.web.problems import problem_responses


class EventFeed(BaseModel):
    events: list[EventEnvelope]
    next_cursor: str = Field(description="下次请求的 after；没有新事件时与请求的 after 相同")


def events_router(service: str, poll_interval_s: float = 0.05) -> APIRouter:
    router = APIRouter(prefix=f"/internal/v1/{service}", tags=[f"{service}-events"], responses=problem_responses())

    @router.get("/events", response_model=EventFeed, summary="事件流（按提交顺序，供其他服务消费）")
    async def read_events(
        request: Request,
        principal: Annotated[Principal, Depends(Authorize("events.read"))],
        after: Annotated[str, Query(max_length=40, description="上次返回的 next_cursor；从头读取用 0.0")] = START,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        wait: Annotated[float, Query(ge=0, le=30, description="没有新事件时最多等待的秒数（长轮询）")] = 0,
    ) -> EventFeed:
        db: Database = request.app.state.db
        outbox: Outbox = request.app.state.records.outbox
        deadline = time.monotonic() + wait
        while True:
            # A fresh session each time: nothing is held while waiting, and each query sees
            # the newest commits (and the newest fence).
            async with db.sessionmaker() as session:
                events = await outbox.feed(session, after, limit)
            if events or time.monotonic() >= deadline or await request.is_disconnected():
                return EventFeed(events=events, next_cursor=events[-1].cursor if events else after)
            await asyncio.sleep(poll_interval_s)

    backlog_route(router)
    return router


class Backlog(BaseModel):
    count: int = Field(description="after 之后已发布、尚未读取的事件数")
    oldest_occurred_at: dt.datetime | None


def backlog_route(router: APIRouter) -> None:
    @router.get("/events/backlog", response_model=Backlog, summary="某游标之后的积压事件数")
    async def read_backlog(
        request: Request,
        principal: Annotated[Principal, Depends(Authorize("events.read"))],
        after: Annotated[str, Query(max_length=40)] = START,
    ) -> Backlog:
        db: Database = request.app.state.db
        async with db.sessionmaker() as session:
            count, oldest = await feed_backlog(request.app.state.records.outbox, session, after)
        return Backlog(count=count, oldest_occurred_at=oldest)


class ConsumerStatus(BaseModel):
    producer: str
    position: str = Field(description="已应用到的位置")
    applied: int = Field(description="累计应用的事件数")
    last_event_at: dt.datetime | None = Field(description="最近应用的事件的发生时间")
    lag_events: int | None = Field(description="源服务已发布、尚未应用的事件数（源服务不可达时为空）")
    lag_seconds: float | None = Field(description="最早的未应用事件距今秒数")
    dead_letters: int
    running: bool
    last_error: str | None


class DeadLetterRead(BaseModel):
    id: int
    producer: str
    event_id: uuid.UUID
    type: str
    error: str
    attempts: int
    created_at: dt.datetime
    replayed_at: dt.datetime | None


Manager = Annotated[Principal, Depends(Authorize("events.manage"))]


def ops_router(service: str) -> APIRouter:
    router = APIRouter(prefix=f"/api/v1/{service}/events", tags=[f"{service}-events"], responses=problem_responses())

    @router.get("/consumers", response_model=list[ConsumerStatus], summary="事件消费状态（游标、延迟、死信）")
    async def list_consumers(request: Request, principal: Manager) -> list[ConsumerStatus]:
        out = []
        db: Database = request.app.state.db
        inbox: Inbox = request.app.state.records.inbox
        async with db.sessionmaker() as session:
            cursors = {c["producer"]: c for c in await inbox.cursors(session)}
            dead = await inbox.dead_letters(session)
        metrics = request.app.state.metrics
        for consumer in request.app.state.consumers:
            cur = cursors.get(consumer.producer, {})
            position = str(cur.get("position", START))
            lag_events, lag_s = await _backlog(consumer, position)
            status = ConsumerStatus(
                producer=consumer.producer, position=position, applied=int(cur.get("applied", 0)),
                last_event_at=cur.get("last_event_at"), lag_events=lag_events, lag_seconds=lag_s,
                dead_letters=sum(1 for d in dead if d["producer"] == consumer.producer),
                running=consumer.stats.caught_up_at is not None or consumer.stats.applied > 0,
                last_error=consumer.stats.last_error)
            labels = (service, consumer.producer)
            if lag_events is not None:
                metrics.consumer_lag_events.labels(*labels).set(lag_events)
            metrics.consumer_lag_seconds.labels(*labels).set(lag_s or 0)
            metrics.dead_letters.labels(*labels).set(status.dead_letters)
            out.append(status)
        return out

    @router.get("/dead-letters", response_model=list[DeadLetterRead], summary="死信事件")
    async def list_dead_letters(request: Request, principal: Manager,
                                include_replayed: bool = False) -> list[DeadLetterRead]:
        db: Database = request.app.state.db
        async with db.sessionmaker() as session:
            rows = await request.app.state.records.inbox.dead_letters(session, include_replayed)
        return [DeadLetterRead.model_validate(r) for r in rows]

    @router.post("/dead-letters/{dead_letter_id}/replay", response_model=DeadLetterRead,
                 summary="重放死信事件", responses=problem_responses(404, 409))
    async def replay_dead_letter(request: Request, principal: Manager,
                                 dead_letter_id: Annotated[int, FastPath(ge=1, le=2**63 - 1, description="死信编号")],
                                 ) -> DeadLetterRead:
        db: Database = request.app.state.db
        inbox: Inbox = request.app.state.records.inbox
        async with db.sessionmaker() as session:
            row = await inbox.dead_letter(session, dead_letter_id)
        if row is None:
            raise NotFound()
        if row["replayed_at"] is not None:
            raise Conflict("already replayed")
        async with db.sessionmaker() as session:  # order per entity: its earlier dead letter comes first
            earlier = await inbox.earlier_dead_letter(session, row)
        if earlier is not None:
            raise Conflict(f"dead letter {earlier} of the same aggregate must be replayed first")
        consumer = next((c for c in request.app.state.consumers if c.producer == row["producer"]), None)
        if consumer is None:
            raise Conflict("no consumer follows this producer")
        await consumer.replay(EventEnvelope.model_validate(row["envelope"]))  # raises if it still fails
        async with db.sessionmaker() as session, session.begin():
            await inbox.mark_replayed(session, dead_letter_id)
            row = await inbox.dead_letter(session, dead_letter_id)
        return DeadLetterRead.model_validate(row)

    return router


async def _backlog(consumer: Any, position: str) -> tuple[int | None, float | None]:
    """Ask the producer how far behind this consumer is (None when it cannot be asked)."""
    if consumer.client is None:
        return None, None
    try:
        headers = {"Authorization": f"Bearer {await consumer.tokens()}"} if consumer.tokens else {}
        url = consumer.subscription.feed_url.rstrip("/") + "/backlog"
        r = await consumer.client.get(url, params={"after": position}, headers=headers, timeout=3.0)
        r.raise_for_status()
        body = r.json()
    except Exception:  # the producer is down: report what is known
        return None, None
    oldest = body.get("oldest_occurred_at")
    age = (dt.datetime.now(dt.UTC) - dt.datetime.fromisoformat(oldest)).total_seconds() if oldest else 0.0
    return int(body["count"]), max(0.0, age)
