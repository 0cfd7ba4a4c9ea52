"""The outbox feed in commit order behind the visibility fence: a transaction
that commits late can never slip an event in before the cursor."""

from __future__ import annotations

from typing import ClassVar

from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from kernel.events.envelope import START, EventEnvelope, EventPayload
from kernel.settings import normalize_database_url
from services.projects.database import RECORDS

OUTBOX = RECORDS.outbox


class Marked(EventPayload):
    event_type: ClassVar[str] = "test.marked"
    mark: str


async def _drain(engine, after: str) -> tuple[list[EventEnvelope], str]:
    seen: list[EventEnvelope] = []
    while True:
        async with AsyncSession(engine) as s:
            batch = await OUTBOX.feed(s, after, 500)
        if not batch:
            return seen, after
        seen += batch
        after = batch[-1].cursor


async def _emit(session: AsyncSession, mark: str) -> None:
    await OUTBOX.emit(session, Marked(mark=mark), aggregate_type="test", aggregate_id=mark)


async def test_a_late_commit_is_never_skipped(live_url: str) -> None:
    engine = create_async_engine(normalize_database_url(live_url))  # the owner: the feed reads every row
    try:
        _, head = await _drain(engine, START)
        t1, t2 = AsyncSession(engine), AsyncSession(engine)
        await t1.begin()
        await _emit(t1, "A")            # T1 gets the lower transaction id...
        await t2.begin()
        await _emit(t2, "B")
        await t2.commit()               # ...but T2 commits first
        early, cursor = await _drain(engine, head)
        assert [e.payload["mark"] for e in early] == [], "B must wait behind the still-open T1"
        await t1.commit()
        late, cursor = await _drain(engine, cursor)
        assert [e.payload["mark"] for e in late] == ["A", "B"]  # both, in transaction order
        assert late[0].cursor < late[1].cursor or int(late[0].cursor.split(".")[0]) < int(
            late[1].cursor.split(".")[0])

        t3 = AsyncSession(engine)
        await t3.begin()
        await _emit(t3, "ROLLED-BACK")
        await t3.rollback()
        async with AsyncSession(engine) as s, s.begin():
            await _emit(s, "C")
        after, _ = await _drain(engine, cursor)
        assert [e.payload["mark"] for e in after] == ["C"]  # an aborted transaction publishes nothing
        await t1.close()
        await t2.close()
        await t3.close()
    finally:
        await engine.dispose()


async def test_feed_pages_in_order_without_gaps_or_repeats(live_url: str) -> None:
    engine = create_async_engine(normalize_database_url(live_url))
    try:
        _, head = await _drain(engine, START)
        async with AsyncSession(engine) as s, s.begin():
            for i in range(25):
                await _emit(s, f"P{i:02d}")
        marks: list[str] = []
        cursor = head
        while True:
            async with AsyncSession(engine) as s:
                page = await OUTBOX.feed(s, cursor, 7)
            if not page:
                break
            marks += [e.payload["mark"] for e in page]
            cursor = page[-1].cursor
        assert marks == [f"P{i:02d}" for i in range(25)]
    finally:
        await engine.dispose()
