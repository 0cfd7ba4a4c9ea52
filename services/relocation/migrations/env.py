"""Alembic environment of the relocation service (schema ``relocation``)."""

from kernel.db.migrations import run_env
from services.relocation.database import Base

run_env(Base.metadata)
