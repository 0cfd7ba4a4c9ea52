"""The gateway's schema (``gateway``): the declarative base every slice's tables use, the
kernel's own tables (audit trail, idempotency keys, outbox, inbox) in the same schema, and the
project directory (``project_ref``), kept from the projects feed as every service keeps one."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from contracts.projects import ProjectChanged
from kernel.db.session import service_metadata
from kernel.events.directory import ProjectDirectory, project_directory_table
from kernel.records import kernel_records

SCHEMA = "gateway"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


#: The audit trail and idempotency keys, in the gateway's schema.
RECORDS = kernel_records(Base.metadata)

#: The projects the gateway knows of (where each is), fed by the projects service's events: a
#: grant of a project is checked against it, and a token carries only projects it places in scope.
PROJECTS = ProjectDirectory(project_directory_table(Base.metadata), ProjectChanged)
