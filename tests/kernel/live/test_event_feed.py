"""The feed over HTTP: who may read it, what it carries, long polling."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from kernel.events.envelope import START
from tests.projects.conftest import project_body
from tests.support.auth import bearer

FEED = "/internal/v1/projects/events"
CONSUMER = bearer("integration", kind="client", scopes=["events:read"], region=None)


async def _head(live: httpx.AsyncClient) -> str:
    cursor = START
    while True:
        page = (await live.get(FEED, params={"after": cursor, "limit": 1000}, headers=CONSUMER)).json()
        if not page["events"]:
            return cursor
        cursor = page["next_cursor"]


async def test_only_consumers_read_the_feed(live: httpx.AsyncClient) -> None:
    assert (await live.get(FEED, headers=bearer("field_worker"))).status_code == 403
    assert (await live.get(FEED, headers=bearer("integration", kind="client", scopes=["projects:read"]))
            ).status_code == 403
    assert (await live.get(FEED, headers=CONSUMER)).status_code == 200
    bad = await live.get(FEED, params={"after": "x.y"}, headers=CONSUMER)
    assert bad.status_code == 422
    assert bad.json()["code"] == "events.bad_cursor"


async def test_the_feed_carries_the_change(live: httpx.AsyncClient) -> None:
    head = await _head(live)
    code = f"FEED-{uuid.uuid4().hex[:6].upper()}"
    created = await live.post("/api/v1/projects/projects", json=project_body(code),
                              headers={"X-Request-ID": f"req-{code}"})
    page = (await live.get(FEED, params={"after": head}, headers=CONSUMER)).json()
    [event] = [e for e in page["events"] if e["payload"]["code"] == code]
    assert event["type"] == "projects.project.changed"
    assert event["version"] == 1
    assert event["aggregate_id"] == created.json()["id"]
    assert event["project_id"] == created.json()["id"]
    assert event["region_code"] == "430903001000"
    assert event["request_id"] == f"req-{code}"
    assert event["payload"]["stage"] == "reserve"
    assert event["payload"]["version"] == 1
    assert page["next_cursor"] == page["events"][-1]["cursor"]


async def test_long_poll_answers_when_an_event_arrives(live: httpx.AsyncClient) -> None:
    head = await _head(live)
    waiting = asyncio.create_task(live.get(FEED, params={"after": head, "wait": 10}, headers=CONSUMER))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await live.post("/api/v1/projects/projects", json=project_body(f"LP-{uuid.uuid4().hex[:6].upper()}"))
    page = (await asyncio.wait_for(waiting, timeout=5)).json()
    assert len(page["events"]) == 1
    empty = (await live.get(FEED, params={"after": page["next_cursor"], "wait": 0.2}, headers=CONSUMER)).json()
    assert empty == {"events": [], "next_cursor": page["next_cursor"]}
