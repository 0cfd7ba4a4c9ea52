"""Alembic environment of the projects service (schema ``projects``)."""

from kernel.db.migrations import run_env
from services.projects.schema import Base

run_env(Base.metadata)
