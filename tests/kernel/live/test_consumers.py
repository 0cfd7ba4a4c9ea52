"""Consumers on committed data: the relocation service's project directory follows
the projects service's feed, exactly once, through duplicates, stale versions and
a poisoned event."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from kernel.db.session import Database, make_database
from kernel.errors import Invalid
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


def _transient_errors() -> list[Exception]:
    request = httpx.Request("GET", "http://projects/internal/v1/projects/events")
    return [httpx.ConnectError("Connection refused", request=request),
            httpx.HTTPStatusError("503", request=request, response=httpx.Response(503, request=request)),
            httpx.ReadTimeout("timed out", request=request),
            OperationalError("SELECT 1", {}, ConnectionResetError("the database went away"))]


@pytest.mark.parametrize("error", _transient_errors(), ids=lambda e: type(e).__name__)
async def test_a_transient_error_is_retried_not_dead_lettered(live: httpx.AsyncClient, relocation_db: Database,
                                                              error: Exception) -> None:
    failures = {"left": 3}  # more failures than max_attempts: transient ones do not count

    async def flaky(session, event: EventEnvelope) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise error
        await PROJECTS.on_project_changed(session, event)

    producer = f"projects-tr-{uuid.uuid4().hex[:6]}"
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription(producer, "unused",
                                                                   {"projects.project.changed": flaky}),
                        max_attempts=2, backoff_s=0.01)
    head = await _events_after(live, START)
    made = (await live.post("/api/v1/projects/projects",
                            json=project_body(f"TRN-{uuid.uuid4().hex[:5].upper()}"))).json()
    events = await _events_after(live, head[-1].cursor if head else START)
    await consumer.apply(events)
    assert (await _ref(relocation_db, made["id"])) is not None
    assert consumer.stats.dead == 0
    assert consumer.stats.applied == 1
    async with relocation_db.sessionmaker() as s:
        assert [d for d in await RECORDS.inbox.dead_letters(s) if d["producer"] == producer] == []
        assert await RECORDS.inbox.position(s, producer) == events[-1].cursor


async def test_a_transient_error_that_lasts_keeps_the_cursor(live: httpx.AsyncClient,
                                                             relocation_db: Database) -> None:
    async def down(session, event: EventEnvelope) -> None:
        raise httpx.ConnectError("Connection refused")

    producer = f"projects-down-{uuid.uuid4().hex[:6]}"
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription(producer, "unused",
                                                                   {"projects.project.changed": down}),
                        max_attempts=2, backoff_s=0.001, transient_attempts=3)
    head = await _events_after(live, START)
    await live.post("/api/v1/projects/projects", json=project_body(f"DWN-{uuid.uuid4().hex[:5].upper()}"))
    events = await _events_after(live, head[-1].cursor if head else START)
    with pytest.raises(httpx.ConnectError):
        await consumer.apply(events)  # the run loop backs off and fetches the same events again
    async with relocation_db.sessionmaker() as s:
        assert [d for d in await RECORDS.inbox.dead_letters(s) if d["producer"] == producer] == []
        assert await RECORDS.inbox.position(s, producer) == START


async def test_an_entity_s_later_events_wait_behind_its_dead_letter(live: httpx.AsyncClient,
                                                                    relocation_db: Database) -> None:
    poisoned: set[uuid.UUID] = set()

    async def picky(session, event: EventEnvelope) -> None:
        if event.id in poisoned:
            raise Invalid("无法处理的事件")  # a domain error: it can never succeed
        await PROJECTS.on_project_changed(session, event)

    producer = f"projects-ord-{uuid.uuid4().hex[:6]}"
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription(producer, "unused",
                                                                   {"projects.project.changed": picky}),
                        max_attempts=3, backoff_s=0.01)
    head = await _events_after(live, START)
    start = head[-1].cursor if head else START
    a = (await live.post("/api/v1/projects/projects", json=project_body(f"ORD-A-{uuid.uuid4().hex[:5].upper()}"))
         ).json()
    r = await live.patch(f"/api/v1/projects/projects/{a['id']}", json={"name": "第二版"}, headers={"If-Match": '"1"'})
    b = (await live.post("/api/v1/projects/projects", json=project_body(f"ORD-B-{uuid.uuid4().hex[:5].upper()}"))
         ).json()
    await live.patch(f"/api/v1/projects/projects/{a['id']}", json={"name": "第三版"},
                     headers={"If-Match": r.headers["etag"]})
    events = await _events_after(live, start)
    assert [(e.aggregate_id, e.payload["version"]) for e in events] == [
        (a["id"], 1), (a["id"], 2), (b["id"], 1), (a["id"], 3)]
    poisoned.add(events[1].id)
    await consumer.apply(events[:3])
    await consumer.apply(events[3:])  # a later batch: A's version 3 must still wait behind version 2
    ref_a = await _ref(relocation_db, a["id"])
    assert (ref_a or {})["version"] == 1
    assert (await _ref(relocation_db, b["id"])) is not None
    async with relocation_db.sessionmaker() as s:
        dead = [d for d in await RECORDS.inbox.dead_letters(s) if d["producer"] == producer]
        assert [d["event_id"] for d in dead] == [events[1].id, events[3].id]
        assert dead[0]["attempts"] == 1  # never retried: it cannot succeed
        assert await RECORDS.inbox.position(s, producer) == events[-1].cursor


async def test_dead_letters_of_an_entity_are_replayed_in_order(live: httpx.AsyncClient, relocation_db: Database,
                                                               live_url: str) -> None:
    from services.relocation.app import create_app
    from tests.support.auth import verifier

    head = await _events_after(live, START)
    made = (await live.post("/api/v1/projects/projects",
                            json=project_body(f"RPO-{uuid.uuid4().hex[:5].upper()}"))).json()
    await live.patch(f"/api/v1/projects/projects/{made['id']}", json={"name": "第二版"}, headers={"If-Match": '"1"'})
    first, second = await _events_after(live, head[-1].cursor if head else START)
    async with relocation_db.sessionmaker() as s, s.begin():
        await RECORDS.inbox.bury(s, "projects", first, "RuntimeError: 测试故障", 5)
        await RECORDS.inbox.bury(s, "projects", second, "held", 0)
    app = create_app(RelocationSettings(database_url=live_url, consume=False, log_level="WARNING"),
                     verifier=verifier("relocation"))
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://relocation", headers=bearer("admin")) as admin:
        ids = {d["event_id"]: d["id"] for d in (await admin.get("/api/v1/relocation/events/dead-letters")).json()}
        early = await admin.post(f"/api/v1/relocation/events/dead-letters/{ids[str(second.id)]}/replay")
        assert early.status_code == 409, early.text  # its aggregate's earlier event comes first
        assert (await _ref(relocation_db, made["id"])) is None
        for event in (first, second):
            r = await admin.post(f"/api/v1/relocation/events/dead-letters/{ids[str(event.id)]}/replay")
            assert r.status_code == 200, r.text
    assert (await _ref(relocation_db, made["id"]) or {})["version"] == 2


async def test_a_recovered_consumer_forgets_its_last_error(live: httpx.AsyncClient, relocation_db: Database) -> None:
    import asyncio

    calls = {"n": 0}

    async def token() -> str:  # the token endpoint refuses once, then answers
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ConnectError("Connection refused")
        return CONSUMER_TOKEN["Authorization"].removeprefix("Bearer ")

    stop = asyncio.Event()
    errors: list[str | None] = []
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription("projects-t5", FEED, PROJECTS.handlers),
                        tokens=token, client=live, wait_s=0, backoff_s=0.01,
                        on_progress=lambda *_: stop.set())
    task = asyncio.create_task(consumer.run(stop))
    while calls["n"] < 1:
        await asyncio.sleep(0.001)
    errors.append(consumer.stats.last_error)
    await asyncio.wait_for(task, timeout=30)
    assert errors[0] is not None
    assert "ConnectError" in errors[0]
    assert consumer.stats.caught_up_at is not None
    assert consumer.stats.last_error is None


async def test_a_producer_that_never_answered_is_waited_for_quietly(relocation_db: Database,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from kernel.events import consumer as consumer_module

    logs: list[tuple[str, str]] = []

    class Recorder:
        def __getattr__(self, level: str) -> object:
            return lambda event, **_: logs.append((level, event))

    monkeypatch.setattr(consumer_module, "log", Recorder())
    answers = {"n": 0}

    def feed(request: httpx.Request) -> httpx.Response:
        answers["n"] += 1
        if answers["n"] <= 2:  # still starting
            raise httpx.ConnectError("All connection attempts failed", request=request)
        if answers["n"] == 3:
            return httpx.Response(200, json={"events": [], "next_cursor": START})
        raise httpx.ConnectError("All connection attempts failed", request=request)  # went away later

    stop = asyncio.Event()
    client = httpx.AsyncClient(transport=httpx.MockTransport(feed), base_url="http://projects")
    consumer = Consumer(relocation_db, RECORDS.inbox, Subscription("projects-t6", FEED, PROJECTS.handlers),
                        client=client, wait_s=0, backoff_s=0.001)
    task = asyncio.create_task(consumer.run(stop))
    while answers["n"] < 4:
        await asyncio.sleep(0.001)
    stop.set()
    await asyncio.wait_for(task, timeout=10)
    await client.aclose()
    failed = [level for level, event in logs if event == "consumer_poll_failed"]
    assert failed[:3] == ["debug", "debug", "warning"]  # before the producer ever answered: quiet
