"""The kernel's tables in every service's own schema, composed: the audit trail,
idempotency keys, the outbox and the consumer inbox. A service adds them to its
metadata (so its migrations create them) and hands the resulting objects to the
app factory."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import MetaData

from kernel.audit.trail import AuditTrail, audit_table
from kernel.events.inbox import Inbox, inbox_tables
from kernel.events.outbox import Outbox, outbox_table
from kernel.idempotency.store import IdempotencyStore, idempotency_table


@dataclass(frozen=True)
class KernelRecords:
    audit: AuditTrail
    idempotency: IdempotencyStore
    outbox: Outbox
    inbox: Inbox


def kernel_records(metadata: MetaData) -> KernelRecords:
    """Add the kernel's tables to a service's metadata (its migrations create them)."""
    return KernelRecords(AuditTrail(audit_table(metadata)), IdempotencyStore(idempotency_table(metadata)),
                         Outbox(outbox_table(metadata)), Inbox(*inbox_tables(metadata)))
