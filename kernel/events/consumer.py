"""Consumers: a service declares which event types it handles from which
producers; a background task follows each producer's feed and applies events.

Each batch is applied in one transaction with the cursor's advance and the
processed marks, so an effect happens once even if the same event arrives
twice. A batch that fails is retried one event at a time with backoff; an
event that keeps failing goes to the dead-letter table (visible to admins,
replayable) and the cursor moves on. A consumer that was down resumes from its
cursor: it catches up on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from kernel.events.envelope import BatchHandler, EventEnvelope, Handler
from kernel.events.inbox import Inbox

TokenSource = Callable[[], Awaitable[str]]
log = structlog.get_logger("kernel.events.consumer")


@dataclass
class Subscription:
    producer: str
    feed_url: str  # e.g. http://projects:8001/internal/v1/projects/events
    handlers: dict[str, Handler]
    batch_handlers: dict[str, BatchHandler] = field(default_factory=dict)
    #: How this consumer gets its bearer tokens, given the app's database, when not with the
    #: service's client credentials (the gateway signs its own: it is the token issuer).
    tokens: Callable[[Database], TokenSource] | None = None


@dataclass
class ConsumerStats:
    applied: int = 0
    duplicates: int = 0
    dead: int = 0
    failures: int = 0
    last_error: str | None = None
    caught_up_at: float | None = None


class ClientCredentials:
    """A token for the consumer from the gateway (OAuth 2 client credentials), renewed before expiry."""

    def __init__(self, client: httpx.AsyncClient, token_url: str, client_id: str, secret: str,
                 scope: str = "events:read") -> None:
        self.client, self.token_url, self.scope = client, token_url, scope
        self.client_id, self.secret = client_id, secret
        self._token: str | None = None
        self._expires = 0.0

    async def __call__(self) -> str:
        if self._token is None or time.monotonic() > self._expires - 60:
            r = await self.client.post(self.token_url, data={"grant_type": "client_credentials", "scope": self.scope},
                                       auth=(self.client_id, self.secret), timeout=5.0)
            r.raise_for_status()
            body = r.json()
            self._token, self._expires = body["access_token"], time.monotonic() + float(body["expires_in"])
        return self._token


@dataclass
class Consumer:
    db: Database
    inbox: Inbox
    subscription: Subscription
    tokens: TokenSource | None = None
    client: httpx.AsyncClient | None = None
    batch: int = 200
    max_attempts: int = 5
    backoff_s: float = 0.2
    wait_s: float = 10.0
    stats: ConsumerStats = field(default_factory=ConsumerStats)
    on_applied: Callable[[str, int], None] | None = None
    #: (producer, events known to be pending, seconds behind); after every poll
    on_progress: Callable[[str, int | None, float], None] | None = None
    on_dead_letter: Callable[[str], None] | None = None

    @property
    def producer(self) -> str:
        return self.subscription.producer

    async def apply(self, events: list[EventEnvelope]) -> None:
        """Apply a batch (already in feed order) exactly once, advancing the cursor with it."""
        if not events:
            return
        try:
            await self._apply_together(events)
        except Exception as exc:  # one bad event must not stop the others: go one by one
            log.warning("batch_failed", producer=self.producer, size=len(events), error=repr(exc))
            for event in events:
                await self._apply_alone(event)

    async def _apply_together(self, events: list[EventEnvelope]) -> None:
        async with self.db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())
            applied = await self._apply_in(session, events)
            await self.inbox.advance(session, self.producer, events[-1].cursor, events[-1].occurred_at, applied)
        self.stats.applied += applied

    async def _apply_in(self, session: Any, events: list[EventEnvelope]) -> int:
        """Apply the events this service follows and has not applied yet; mark them applied."""
        sub = self.subscription
        handled = [e for e in events if e.type in sub.handlers or e.type in sub.batch_handlers]
        seen = await self.inbox.seen_among(session, [e.id for e in handled])
        fresh: list[EventEnvelope] = []
        ids: set[Any] = set()
        for event in handled:
            if event.id in seen or event.id in ids:
                self.stats.duplicates += 1
                continue
            fresh.append(event)
            ids.add(event.id)
        i = 0
        while i < len(fresh):  # in feed order; a run of one type goes to its batch handler at once
            kind = fresh[i].type
            j = i
            while j < len(fresh) and fresh[j].type == kind:
                j += 1
            if kind in sub.batch_handlers:
                await sub.batch_handlers[kind](session, fresh[i:j])
            else:
                for event in fresh[i:j]:
                    await sub.handlers[kind](session, event)
            i = j
        await self.inbox.mark(session, self.producer, [e.id for e in fresh])
        return len(fresh)

    async def _apply_alone(self, event: EventEnvelope) -> None:
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            try:
                await self._apply_together([event])
                return
            except Exception as exc:
                self.stats.failures += 1
                error = f"{type(exc).__name__}: {exc}"
                self.stats.last_error = error
                await asyncio.sleep(self.backoff_s * 2 ** (attempt - 1))
        async with self.db.sessionmaker() as session, session.begin():
            await self.inbox.bury(session, self.producer, event, error, self.max_attempts)
            await self.inbox.advance(session, self.producer, event.cursor, event.occurred_at, 0)
        self.stats.dead += 1
        if self.on_dead_letter is not None:
            self.on_dead_letter(self.producer)
        log.error("event_dead_lettered", producer=self.producer, event_id=str(event.id), type=event.type,
                  error=error)

    async def replay(self, event: EventEnvelope) -> None:
        """Apply a dead-lettered event again (it was never marked processed); raises if it still fails."""
        async with self.db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())
            self.stats.applied += await self._apply_in(session, [event])

    async def position(self) -> str:
        async with self.db.sessionmaker() as session:
            return await self.inbox.position(session, self.producer)

    async def poll(self, wait_s: float | None = None) -> int:
        """Fetch what follows the cursor (long-polling) and apply it; the number of events fetched."""
        assert self.client is not None, "a consumer that polls needs an HTTP client"
        headers = {"Authorization": f"Bearer {await self.tokens()}"} if self.tokens else {}
        after = await self.position()
        wait = self.wait_s if wait_s is None else wait_s
        # The producer holds an empty poll for ``wait`` seconds: the read timeout must outlast it.
        r = await self.client.get(self.subscription.feed_url, headers=headers, timeout=wait + 10,
                                  params={"after": after, "limit": self.batch, "wait": wait})
        r.raise_for_status()
        events = [EventEnvelope.model_validate(e) for e in r.json()["events"]]
        before = self.stats.applied
        await self.apply(events)
        if self.on_applied is not None and self.stats.applied > before:
            self.on_applied(self.producer, self.stats.applied - before)
        if len(events) < self.batch:
            self.stats.caught_up_at = time.time()
            progress: tuple[int | None, float] = (0, 0.0)
        else:  # more is waiting: at least this far behind
            progress = (None, lag_seconds(events[-1].occurred_at) or 0.0)
        if self.on_progress is not None:
            self.on_progress(self.producer, *progress)
        return len(events)

    async def run(self, stop: asyncio.Event) -> None:
        delay = self.backoff_s
        while not stop.is_set():
            try:
                await self.poll()
                delay = self.backoff_s
            except Exception as exc:  # producer down, token refused, database blip: retry with backoff
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("consumer_poll_failed", producer=self.producer, error=self.stats.last_error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                delay = min(delay * 2, 10.0)


def lag_seconds(last_event_at: dt.datetime | None, now: dt.datetime | None = None) -> float | None:
    if last_event_at is None:
        return None
    return max(0.0, ((now or dt.datetime.now(dt.UTC)) - last_event_at).total_seconds())
