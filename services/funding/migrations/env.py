"""Alembic environment of the funding service (schema ``funding``)."""

from kernel.db.migrations import run_env
from services.funding.database import Base

run_env(Base.metadata)
