"""Tables of the housing service, all in the ``housing`` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kernel.db import service_metadata

SCHEMA = "housing"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)
