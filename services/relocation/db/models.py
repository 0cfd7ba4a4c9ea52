"""Tables of the relocation service, all in the ``relocation`` schema."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from kernel.db import service_metadata

SCHEMA = "relocation"


class Base(DeclarativeBase):
    metadata = service_metadata(SCHEMA)
