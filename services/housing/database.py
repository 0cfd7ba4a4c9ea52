"""Tables of the housing service, all in the ``housing`` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from contracts.projects import ProjectChanged
from kernel.db.session import service_metadata
from kernel.events.directory import ProjectDirectory, project_directory_table
from kernel.records import kernel_records

SCHEMA = "housing"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)


#: The audit trail and idempotency keys, in this service's schema.
RECORDS = kernel_records(Base.metadata)

#: The projects this service knows of, fed by the projects service's events.
PROJECTS = ProjectDirectory(project_directory_table(Base.metadata), ProjectChanged)
