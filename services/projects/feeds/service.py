"""What the projects service keeps of other services' events (``contracts.relocation`` and ``contracts.funding``):
signings by week, relocation's running totals, the compensation scheme, and the
dedicated account's balance. Each handler runs in the consumer's transaction (the
kernel marks the event processed there), is idempotent, and ignores older versions.
The stage gates read a project's figures (``figures``) and the escalation rules the
weekly signings (``weekly_signings``) through the use cases here."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.funding import DedicatedAccountChanged
from contracts.relocation import AgreementRevoked, AgreementSigned, ProgressChanged, SchemeChanged
from kernel.calendar import today as business_date
from kernel.events.envelope import BatchHandler, EventEnvelope, Handler
from services.projects.escalation.rules import week_start
from services.projects.feeds.models import DedicatedAccountRef, ProgressRef, SchemeRef
from services.projects.feeds.repository import FeedRepository


async def on_signed(session: AsyncSession, events: list[EventEnvelope]) -> None:
    rows = []
    for event in events:
        p = AgreementSigned.model_validate(event.payload)
        day = business_date(p.signed_at)
        rows.append({"agreement_id": p.agreement_id, "project_id": p.project_id, "region_code": p.region_code,
                     "signed_on": day, "week_start": week_start(day), "revoked": False})
    await FeedRepository(session).add_signings(rows)


async def on_revoked(session: AsyncSession, event: EventEnvelope) -> None:
    p = AgreementRevoked.model_validate(event.payload)
    await FeedRepository(session).revoke_signing(p.agreement_id)


async def on_progress(session: AsyncSession, event: EventEnvelope) -> None:
    p = ProgressChanged.model_validate(event.payload)
    await FeedRepository(session).keep_progress(p.model_dump())


async def on_scheme(session: AsyncSession, event: EventEnvelope) -> None:
    p = SchemeChanged.model_validate(event.payload)
    await FeedRepository(session).keep_scheme(p.model_dump())


async def on_account(session: AsyncSession, event: EventEnvelope) -> None:
    p = DedicatedAccountChanged.model_validate(event.payload)
    await FeedRepository(session).keep_account(p.model_dump())


RELOCATION_HANDLERS: dict[str, Handler] = {
    AgreementSigned.event_type: lambda session, event: on_signed(session, [event]),
    AgreementRevoked.event_type: on_revoked,
    ProgressChanged.event_type: on_progress,
    SchemeChanged.event_type: on_scheme,
}
RELOCATION_BATCH_HANDLERS: dict[str, BatchHandler] = {AgreementSigned.event_type: on_signed}
FUNDING_HANDLERS: dict[str, Handler] = {DedicatedAccountChanged.event_type: on_account}


# --- reads ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Figures:
    """What relocation and funding last said of one project (None: nothing heard yet)."""

    progress: ProgressRef | None
    scheme: SchemeRef | None
    account: DedicatedAccountRef | None


async def figures(session: AsyncSession, project_id: uuid.UUID) -> Figures:
    repo = FeedRepository(session)
    return Figures(await repo.progress(project_id), await repo.scheme(project_id), await repo.account(project_id))


async def weekly_signings(session: AsyncSession,
                          project_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, dict[dt.date, int]]]:
    """Signings per project, per sub-district (its 12-digit code) and week (revoked ones left out)."""
    out: dict[uuid.UUID, dict[str, dict[dt.date, int]]] = defaultdict(lambda: defaultdict(dict))
    if not project_ids:
        return out
    for pid, prefix9, week, n in await FeedRepository(session).weekly_signings(project_ids):
        out[pid][prefix9 + "000"][week] = n
    return out
