"""Consumers on committed data: the relocation service's project directory follows
the projects service's feed, exactly once, through duplicates, stale versions and
a poisoned event."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select

from kernel.db.session import Database, make_database
from kernel.events.consumer import Consumer, Subscription
from kernel.events.envelope import START, EventEnvelope
from services.relocation.database import PROJECTS, RECORDS
from services.relocation.settings import RelocationSettings
from tests.projects.conftest import project_body
from tests.support.auth import bearer

FEED = "/internal/v1/projects/events"
CONSUMER_TOKEN = bearer("integration", kind="client", scopes=["events:read"], region=None)


@pytest.fixture
async def relocation_db(live_url: str):  # the relocation service's own database access (its app role)
    db = make_database(RelocationSettings(database_url=live_url, log_level="WARNING"))
    yield db
    await db.dispose()


async def _events_after(live: httpx.AsyncClient, after: str) -> list[EventEnvelope]:
    out: list[EventEnvelope] = []
    while True:
        page = (await live.get(FEED, params={"after": after, "limit": 1000}, headers=CONSUMER_TOKEN)).json()
        if not page["events"]:
            return out
        out += [EventEnvelope.model_validate(e) for e in page["events"]]
        after = page["next_cursor"]


async def _ref(db: Database, project_id: str) -> dict[str, object] | None:
    async with db.sessionmaker() as s:
        return await PROJECTS.get(s, uuid.UUID(project_id))


async def test_the_directory_follows_projects_exactly_once(live: httpx.AsyncClient, relocation_db: Database) -> None:
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription("projects-t1", "unused", PROJECTS.handlers))
    start = (await _events_after(live, START))[-1].cursor if await _events_after(live, START) else START
    a = (await live.post("/api/v1/projects/projects", json=project_body(f"DIR-A-{uuid.uuid4().hex[:5].upper()}"))
         ).json()
    b = (await live.post("/api/v1/projects/projects", json=project_body(f"DIR-B-{uuid.uuid4().hex[:5].upper()}"))
         ).json()
    await live.patch(f"/api/v1/projects/projects/{a['id']}", json={"name": "益阳大道东片区（二期）"},
                     headers={"If-Match": '"1"'})
    events = await _events_after(live, start)
    assert len(events) == 3
    await consumer.apply(events)
    ref_a = await _ref(relocation_db, a["id"])
    assert ref_a is not None
    assert (ref_a["name"], ref_a["version"], ref_a["region_code"]) == ("益阳大道东片区（二期）", 2, "430903001000")
    assert (await _ref(relocation_db, b["id"]) or {})["stage"] == "reserve"
    assert consumer.stats.applied == 3

    await consumer.apply(events)  # the same events delivered again
    assert consumer.stats.applied == 3
    assert consumer.stats.duplicates == 3
    async with relocation_db.sessionmaker() as s:
        marked = await s.scalar(select(func.count()).select_from(RECORDS.inbox.processed).where(
            RECORDS.inbox.processed.c.event_id.in_([e.id for e in events])))
        assert marked == 3
        assert await RECORDS.inbox.position(s, "projects-t1") == events[-1].cursor

    stale = events[0].model_copy(update={"id": uuid.uuid4()})  # version 1 of A, arriving late
    await consumer.apply([stale])
    assert (await _ref(relocation_db, a["id"]) or {})["version"] == 2  # an older version never wins


async def test_a_poisoned_event_is_dead_lettered_and_the_rest_apply(live: httpx.AsyncClient,
                                                                    relocation_db: Database) -> None:
    poisoned: set[uuid.UUID] = set()

    async def picky(session, event: EventEnvelope) -> None:
        if event.id in poisoned:
            raise ValueError("无法处理的事件")
        await PROJECTS.on_project_changed(session, event)

    consumer = Consumer(relocation_db, RECORDS.inbox,
                        Subscription("projects-t2", "unused", {"projects.project.changed": picky}),
                        max_attempts=2, backoff_s=0.01)
    head = await _events_after(live, START)
    start = head[-1].cursor if head else START
    made = [(await live.post("/api/v1/projects/projects",
                             json=project_body(f"PSN-{i}-{uuid.uuid4().hex[:5].upper()}"))).json() for i in range(3)]
    events = await _events_after(live, start)
    poisoned.add(events[1].id)
    await consumer.apply(events)
    assert (await _ref(relocation_db, made[0]["id"])) is not None
    assert (await _ref(relocation_db, made[1]["id"])) is None
    assert (await _ref(relocation_db, made[2]["id"])) is not None
    assert consumer.stats.dead == 1
    async with relocation_db.sessionmaker() as s:
        dead = [d for d in await RECORDS.inbox.dead_letters(s) if d["producer"] == "projects-t2"]
        assert [(d["event_id"], d["attempts"]) for d in dead] == [(events[1].id, 2)]
        assert "无法处理的事件" in dead[0]["error"]
        assert await RECORDS.inbox.position(s, "projects-t2") == events[-1].cursor  # it moved on


async def test_a_consumer_catches_up_over_http(live: httpx.AsyncClient, relocation_db: Database) -> None:
    async def token() -> str:
        return CONSUMER_TOKEN["Authorization"].removeprefix("Bearer ")

    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription("projects-t3", FEED, PROJECTS.handlers),
                        tokens=token, client=live, batch=50)
    for i in range(7):
        await live.post("/api/v1/projects/projects", json=project_body(f"CU-{i}-{uuid.uuid4().hex[:5].upper()}"))
    while await consumer.poll(wait_s=0) == consumer.batch:
        pass
    everything = await _events_after(live, START)
    assert await consumer.position() == everything[-1].cursor
    for e in everything:
        assert await _ref(relocation_db, e.aggregate_id) is not None


async def test_a_batch_keeps_each_projects_newest_version(live: httpx.AsyncClient, relocation_db: Database) -> None:
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription("projects-t4", "unused", PROJECTS.handlers,
                                                                  PROJECTS.batch_handlers))
    head = await _events_after(live, START)
    start = head[-1].cursor if head else START
    made = (await live.post("/api/v1/projects/projects",
                            json=project_body(f"BAT-{uuid.uuid4().hex[:5].upper()}"))).json()
    etag = '"1"'
    for name in ("第二版", "第三版"):
        r = await live.patch(f"/api/v1/projects/projects/{made['id']}", json={"name": name}, headers={"If-Match": etag})
        etag = r.headers["etag"]
    events = await _events_after(live, start)
    assert [e.payload["version"] for e in events] == [1, 2, 3]
    shuffled = [events[2], events[0], events[1], events[1]]  # out of order, and v2 twice in one batch
    await consumer.apply(shuffled)
    ref = await _ref(relocation_db, made["id"])
    assert ref is not None
    assert (ref["name"], ref["version"]) == ("第三版", 3)
    assert consumer.stats.applied == 3
    assert consumer.stats.duplicates == 1


async def test_an_admin_replays_a_dead_letter(live: httpx.AsyncClient, relocation_db: Database,
                                              live_url: str) -> None:
    from services.relocation.app import create_app
    from tests.support.auth import verifier

    head = await _events_after(live, START)
    made = (await live.post("/api/v1/projects/projects",
                            json=project_body(f"RPL-{uuid.uuid4().hex[:5].upper()}"))).json()
    [event] = await _events_after(live, head[-1].cursor if head else START)
    async with relocation_db.sessionmaker() as s, s.begin():  # as if it had kept failing
        await RECORDS.inbox.bury(s, "projects", event, "RuntimeError: 测试故障", 5)
    assert await _ref(relocation_db, made["id"]) is None

    app = create_app(RelocationSettings(database_url=live_url, consume=False, log_level="WARNING"),
                     verifier=verifier("relocation"))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://relocation", headers=bearer("admin")) as admin:
        dead = [d for d in (await admin.get("/api/v1/relocation/events/dead-letters")).json()
                if d["event_id"] == str(event.id)]
        assert len(dead) == 1
        assert dead[0]["error"] == "RuntimeError: 测试故障"
        replayed = await admin.post(f"/api/v1/relocation/events/dead-letters/{dead[0]['id']}/replay")
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["replayed_at"] is not None
        again = await admin.post(f"/api/v1/relocation/events/dead-letters/{dead[0]['id']}/replay")
        assert again.status_code == 409
        remaining = (await admin.get("/api/v1/relocation/events/dead-letters")).json()
        assert str(event.id) not in [d["event_id"] for d in remaining]
    assert (await _ref(relocation_db, made["id"]) or {})["version"] == 1
