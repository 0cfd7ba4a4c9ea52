"""Queries of the read models kept of relocation's and funding's events: the writes of the
event handlers (idempotent; an older version never replaces a newer one), and the reads of
the stage gates (a project's figures) and of the escalation rules (weekly signings)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.db.upsert import upsert_newest
from services.projects.feeds.models import DedicatedAccountRef, ProgressRef, SchemeRef, SigningRef


class FeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- writes (the event handlers) -------------------------------------------------------------

    async def add_signings(self, rows: Sequence[dict[str, Any]]) -> None:
        """Signings not seen before (a redelivered one is left as it is)."""
        if rows:
            await self.session.execute(insert(SigningRef).values(list(rows)).on_conflict_do_nothing())

    async def revoke_signing(self, agreement_id: uuid.UUID) -> None:
        await self.session.execute(update(SigningRef).where(SigningRef.agreement_id == agreement_id)
                                   .values(revoked=True))

    async def keep_progress(self, values: dict[str, Any]) -> None:
        await upsert_newest(self.session, ProgressRef, [values], key="project_id")

    async def keep_scheme(self, values: dict[str, Any]) -> None:
        await upsert_newest(self.session, SchemeRef, [values], key="project_id", version="scheme_version",
                            replace_equal=True)

    async def keep_account(self, values: dict[str, Any]) -> None:
        await upsert_newest(self.session, DedicatedAccountRef, [values], key="project_id")

    # --- reads -----------------------------------------------------------------------------------

    async def progress(self, project_id: uuid.UUID) -> ProgressRef | None:
        return await self.session.get(ProgressRef, project_id)

    async def scheme(self, project_id: uuid.UUID) -> SchemeRef | None:
        return await self.session.get(SchemeRef, project_id)

    async def account(self, project_id: uuid.UUID) -> DedicatedAccountRef | None:
        return await self.session.get(DedicatedAccountRef, project_id)

    async def weekly_signings(self, project_ids: Sequence[uuid.UUID]) -> list[tuple[uuid.UUID, str, dt.date, int]]:
        """Signings (revoked ones left out) counted per project, first nine digits of the
        region code (the sub-district) and week."""
        prefix = func.left(SigningRef.region_code, literal_column("9"))
        rows = await self.session.execute(
            select(SigningRef.project_id, prefix, SigningRef.week_start, func.count())
            .where(SigningRef.project_id.in_(project_ids), SigningRef.revoked.is_(False))
            .group_by(SigningRef.project_id, prefix, SigningRef.week_start))
        return [(pid, prefix9, week, int(n)) for pid, prefix9, week, n in rows.all()]
