"""Every service's event feed, for the other services' consumers (not routed by
the gateway): events after a cursor, in commit order, long-polled."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from kernel.auth import Principal
from kernel.db import Database
from kernel.events import START, EventEnvelope
from kernel.records import Outbox
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

    return router
