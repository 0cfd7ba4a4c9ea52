"""Consumers: a service declares which event types it handles from which
producers; a background task follows each producer's feed and applies events.

Each batch is applied in one transaction with the cursor's advance and the
processed marks, so an effect happens once even if the same event arrives
twice. What fails is told apart (``is_transient``):

* a transient error (the producer refused, timed out or answered 5xx, the
  database went away) is retried with backoff and never dead-letters: when it
  lasts, the error goes up to the run loop, which backs off and fetches the same
  events again (the cursor did not move);
* an error that can never succeed (a payload that fails validation, a handler's
  domain error) dead-letters the event at once; any other error is retried
  ``max_attempts`` times first;
* order per entity: once an event of an aggregate is dead-lettered, the later
  events of that aggregate are dead-lettered too ("held") instead of being
  applied before it, until its dead letter is replayed.

Dead letters are visible to admins and replayable, in order. A consumer that
was down resumes from its cursor: it catches up on its own.
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
import pydantic
import structlog
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from kernel.errors import DomainError, TimedOut, TooManyRequests, Unavailable
from kernel.events.envelope import BatchHandler, EventEnvelope, Handler
from kernel.events.inbox import Inbox

TokenSource = Callable[[], Awaitable[str]]
log = structlog.get_logger("kernel.events.consumer")

#: PostgreSQL error classes worth retrying: connection (08), resources (53), operator
#: intervention (57: shutdown, cancel), serialization failure and deadlock (40001, 40P01).
_RETRYABLE_SQLSTATE = ("08", "53", "57", "40001", "40P01")


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 10:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def is_transient(exc: BaseException) -> bool:
    """Whether trying again later may succeed: the network, a producer's 5xx or 429, a timeout,
    the database's connection or a serialization conflict (anywhere in the cause chain)."""
    for e in _causes(exc):
        if isinstance(e, httpx.HTTPStatusError):
            return e.response.status_code >= 500 or e.response.status_code in (408, 429)
        if isinstance(e, httpx.TransportError | TimeoutError | ConnectionError | DisconnectionError
                      | OperationalError | InterfaceError | Unavailable | TimedOut | TooManyRequests):
            return True
        if isinstance(e, DBAPIError) and e.connection_invalidated:
            return True
        state = getattr(e, "sqlstate", None) or getattr(e, "pgcode", None)
        if isinstance(state, str) and state.startswith(_RETRYABLE_SQLSTATE):
            return True
    return False


def never_succeeds(exc: BaseException) -> bool:
    """A payload that fails validation or a handler's domain error: retrying cannot help."""
    return not is_transient(exc) and isinstance(exc, pydantic.ValidationError | DomainError)


def aggregate_key(event: EventEnvelope) -> tuple[str, str]:
    return event.aggregate_type, event.aggregate_id


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
    #: attempts of an event failing with an error that is neither transient nor hopeless
    max_attempts: int = 5
    #: attempts of a batch failing with transient errors before the run loop takes over
    transient_attempts: int = 6
    backoff_s: float = 0.2
    max_backoff_s: float = 10.0
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
            await self._apply_together(events, retry_transient=True)
        except Exception as exc:  # one bad event must not stop the others: go one by one
            if is_transient(exc):  # lasted through every retry: the run loop backs off, the cursor stays
                raise
            log.warning("batch_failed", producer=self.producer, size=len(events), error=repr(exc))
            for event in events:
                await self._apply_alone(event)

    async def _apply_together(self, events: list[EventEnvelope], retry_transient: bool = False) -> None:
        """One transaction; transient errors retried with backoff (they never count as attempts)."""
        attempt = 0
        while True:
            try:
                async with self.db.sessionmaker() as session, session.begin():
                    await apply_scope(session, DataScope.everything())
                    applied, held = await self._apply_in(session, events, hold=True)
                    await self.inbox.advance(session, self.producer, events[-1].cursor, events[-1].occurred_at,
                                             applied)
                break
            except Exception as exc:
                attempt += 1
                if not (retry_transient and is_transient(exc)) or attempt >= self.transient_attempts:
                    raise
                self._failed(exc)
                log.info("events_retried", producer=self.producer, attempt=attempt, error=self.stats.last_error)
                await asyncio.sleep(min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s))
        self.stats.applied += applied
        for event, _ in held:
            self._buried(event, "held behind an earlier dead letter of its aggregate")

    def _failed(self, exc: BaseException) -> None:
        self.stats.failures += 1
        self.stats.last_error = f"{type(exc).__name__}: {exc}"

    async def _apply_in(self, session: Any, events: list[EventEnvelope], hold: bool = False,
                        ) -> tuple[int, list[tuple[EventEnvelope, int]]]:
        """Apply the events this service follows and has not applied yet; mark them applied.
        With ``hold``, the events of an aggregate with a dead letter are dead-lettered
        instead (in this transaction): how many were applied, and which were held (with the
        dead letter they wait behind)."""
        sub = self.subscription
        handled = [e for e in events if e.type in sub.handlers or e.type in sub.batch_handlers]
        seen = await self.inbox.seen_among(session, [e.id for e in handled])
        blocked = await self.inbox.held_aggregates(session, self.producer) if hold and handled else {}
        fresh: list[EventEnvelope] = []
        held: list[tuple[EventEnvelope, int]] = []
        ids: set[Any] = set()
        for event in handled:
            if event.id in seen or event.id in ids:
                self.stats.duplicates += 1
                continue
            ids.add(event.id)
            behind = blocked.get(aggregate_key(event))
            if behind is not None:
                held.append((event, behind))
                continue
            fresh.append(event)
        for event, behind in held:
            await self.inbox.bury(session, self.producer, event,
                                  f"held: dead letter {behind} of the same aggregate comes first", 0)
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
        return len(fresh), held

    async def _apply_alone(self, event: EventEnvelope) -> None:
        error = ""
        attempt = 0
        while attempt < self.max_attempts:
            attempt += 1
            try:
                await self._apply_together([event], retry_transient=True)
                return
            except Exception as exc:
                if is_transient(exc):  # lasted through every retry: the cursor stays before this event
                    raise
                self._failed(exc)
                error = self.stats.last_error or ""
                if never_succeeds(exc):
                    break
                await asyncio.sleep(min(self.backoff_s * 2 ** (attempt - 1), self.max_backoff_s))
        async with self.db.sessionmaker() as session, session.begin():
            await self.inbox.bury(session, self.producer, event, error, attempt)
            await self.inbox.advance(session, self.producer, event.cursor, event.occurred_at, 0)
        self._buried(event, error)

    def _buried(self, event: EventEnvelope, error: str) -> None:
        self.stats.dead += 1
        if self.on_dead_letter is not None:
            self.on_dead_letter(self.producer)
        log.error("event_dead_lettered", producer=self.producer, event_id=str(event.id), type=event.type,
                  aggregate_id=event.aggregate_id, error=error)

    async def replay(self, event: EventEnvelope) -> None:
        """Apply a dead-lettered event again (it was never marked processed); raises if it still fails."""
        async with self.db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())
            applied, _ = await self._apply_in(session, [event])
            self.stats.applied += applied

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
        before, dead_before = self.stats.applied, self.stats.dead
        await self.apply(events)
        if self.stats.dead == dead_before:  # recovered: the error of an earlier poll is history
            self.stats.last_error = None
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
        answered = False  # until the producer has answered once, it may simply still be starting
        while not stop.is_set():
            try:
                await self.poll()
                delay = self.backoff_s
                answered = True
            except Exception as exc:  # producer down, token refused, database blip: retry with backoff
                self.stats.last_error = f"{type(exc).__name__}: {exc}"
                starting = not answered and isinstance(exc, httpx.TransportError)
                (log.debug if starting else log.warning)("consumer_poll_failed", producer=self.producer,
                                                         error=self.stats.last_error)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=delay)
                delay = min(delay * 2, self.max_backoff_s)


def lag_seconds(last_event_at: dt.datetime | None, now: dt.datetime | None = None) -> float | None:
    if last_event_at is None:
        return None
    return max(0.0, ((now or dt.datetime.now(dt.UTC)) - last_event_at).total_seconds())
