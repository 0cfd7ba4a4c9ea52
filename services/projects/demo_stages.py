"""Demo data: the stage machine's planned and actual dates and history, read models from other
services, escalation rules and firings. Loaded by ``demo.seed_demo`` after regions and projects, in
the same transaction, through the use cases; idempotent (a rerun adds nothing)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession


async def load(session: AsyncSession) -> dict[str, int]:
    """Returns how many records of each kind were added."""
    return {}
