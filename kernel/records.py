"""The kernel's tables in every service's own schema, composed: the audit trail,
idempotency keys, the outbox and the consumer inbox; and recording a change (its event and its
audit entry, in one transaction). A service adds them to its
metadata (so its migrations create them) and hands the resulting objects to the
app factory."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.audit.chain import diff
from kernel.audit.trail import AuditTrail, audit_table
from kernel.auth.principal import Principal
from kernel.events.envelope import EventPayload
from kernel.events.inbox import Inbox, inbox_tables
from kernel.events.outbox import Outbox, outbox_table
from kernel.idempotency.store import IdempotencyStore, idempotency_table


@dataclass(frozen=True)
class KernelRecords:
    audit: AuditTrail
    idempotency: IdempotencyStore
    outbox: Outbox
    inbox: Inbox

    async def record_change(self, session: AsyncSession, actor: Principal, *, action: str, entity_type: str,
                            entity_id: Any, region_code: str | None = None, project_id: Any = None,
                            before: Mapping[str, Any] | None = None, after: Mapping[str, Any] | None = None,
                            changed_only: bool = False, event: EventPayload | None = None,
                            aggregate_type: str | None = None, aggregate_id: Any = None) -> None:
        """One change, recorded whole in the caller's transaction: the event that announces it (when
        there is one) and its audit entry (who, when, what, before and after; with ``changed_only``,
        only the fields that differ). Both commit with the change or not at all. The audit entry goes
        last: it takes the audit chain's lock, which is then held only until the commit."""
        if event is not None:
            await self.outbox.emit(session, event, aggregate_type=aggregate_type or entity_type,
                                   aggregate_id=entity_id if aggregate_id is None else aggregate_id,
                                   region_code=region_code, project_id=project_id)
        if changed_only and before is not None and after is not None:
            entry = diff(before, after)
            before, after = entry["before"], entry["after"]
        await self.audit.record(session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
                                region_code=region_code, project_id=project_id,
                                before=dict(before) if before is not None else None,
                                after=dict(after) if after is not None else None)


def kernel_records(metadata: MetaData) -> KernelRecords:
    """Add the kernel's tables to a service's metadata (its migrations create them)."""
    return KernelRecords(AuditTrail(audit_table(metadata)), IdempotencyStore(idempotency_table(metadata)),
                         Outbox(outbox_table(metadata)), Inbox(*inbox_tables(metadata)))
