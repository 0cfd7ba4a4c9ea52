"""Alembic environment of the gateway (schema ``gateway``)."""

from gateway.db.models import Base
from kernel.db.migrations import run_env

run_env(Base.metadata)
