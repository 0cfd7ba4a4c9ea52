"""Alembic environment of the housing service (schema ``housing``)."""

from kernel.db.migrations import run_env
from services.housing.database import Base

run_env(Base.metadata)
