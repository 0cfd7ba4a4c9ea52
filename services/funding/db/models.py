"""Tables of the funding service, all in the ``funding`` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kernel.db import service_metadata

SCHEMA = "funding"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)
