"""Alembic environment of the gateway (schema ``gateway``)."""

from gateway.schema import Base
from kernel.db.migrations import run_env

run_env(Base.metadata)
