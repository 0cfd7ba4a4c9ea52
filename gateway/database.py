"""The gateway's schema (``gateway``): the declarative base every slice's tables use, and
the kernel's own tables (audit trail, idempotency keys, outbox, inbox) in the same schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kernel.db.session import service_metadata
from kernel.records import kernel_records

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


#: The audit trail and idempotency keys, in the gateway's schema.
RECORDS = kernel_records(Base.metadata)
