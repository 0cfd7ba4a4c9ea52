"""What the projects service keeps of other services' events (``contracts.relocation`` and ``contracts.funding``):
signings by week, relocation's running totals, the compensation scheme, and the
dedicated account's balance. Each handler runs in the consumer's transaction (the
kernel marks the event processed there), is idempotent, and ignores older versions."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.funding import DedicatedAccountChanged
from contracts.relocation import AgreementRevoked, AgreementSigned, ProgressChanged, SchemeChanged
from kernel.calendar import today as business_date
from kernel.db.upsert import upsert_newest
from kernel.events.envelope import BatchHandler, EventEnvelope, Handler
from services.projects.escalation.rules import week_start
from services.projects.stages.models import DedicatedAccountRef, ProgressRef, SchemeRef, SigningRef


async def on_signed(session: AsyncSession, events: list[EventEnvelope]) -> None:
    rows = []
    for event in events:
        p = AgreementSigned.model_validate(event.payload)
        day = business_date(p.signed_at)
        rows.append({"agreement_id": p.agreement_id, "project_id": p.project_id, "region_code": p.region_code,
                     "signed_on": day, "week_start": week_start(day), "revoked": False})
    if rows:
        await session.execute(insert(SigningRef).values(rows).on_conflict_do_nothing())


async def on_revoked(session: AsyncSession, event: EventEnvelope) -> None:
    p = AgreementRevoked.model_validate(event.payload)
    await session.execute(update(SigningRef).where(SigningRef.agreement_id == p.agreement_id).values(revoked=True))


async def on_progress(session: AsyncSession, event: EventEnvelope) -> None:
    p = ProgressChanged.model_validate(event.payload)
    await upsert_newest(session, ProgressRef, [p.model_dump()], key="project_id")


async def on_scheme(session: AsyncSession, event: EventEnvelope) -> None:
    p = SchemeChanged.model_validate(event.payload)
    await upsert_newest(session, SchemeRef, [p.model_dump()], key="project_id", version="scheme_version",
                        replace_equal=True)


async def on_account(session: AsyncSession, event: EventEnvelope) -> None:
    p = DedicatedAccountChanged.model_validate(event.payload)
    await upsert_newest(session, DedicatedAccountRef, [p.model_dump()], key="project_id")


RELOCATION_HANDLERS: dict[str, Handler] = {
    AgreementSigned.event_type: lambda session, event: on_signed(session, [event]),
    AgreementRevoked.event_type: on_revoked,
    ProgressChanged.event_type: on_progress,
    SchemeChanged.event_type: on_scheme,
}
RELOCATION_BATCH_HANDLERS: dict[str, BatchHandler] = {AgreementSigned.event_type: on_signed}
FUNDING_HANDLERS: dict[str, Handler] = {DedicatedAccountChanged.event_type: on_account}
