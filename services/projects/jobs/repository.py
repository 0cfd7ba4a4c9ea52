"""Queries of the scheduled jobs: the transaction lock that lets one replica run a job at a
time, and the record of each job's last run (one row per job in ``job_run``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from kernel.db.repository import Repository
from services.projects.jobs.models import JobRun


class JobRunRepository(Repository[JobRun]):
    model = JobRun

    async def lock(self, key: str) -> None:
        """Wait for the job's transaction lock."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": key})

    async def try_lock(self, key: str) -> bool:
        """Take the job's transaction lock if no other transaction holds it."""
        return bool(await self.session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:n))"), {"n": key}))

    async def record_success(self, name: str, started: dt.datetime, finished: dt.datetime,
                             result: dict[str, Any]) -> None:
        stmt = insert(JobRun).values(name=name, runs=1, last_started_at=started, last_finished_at=finished,
                                     last_result=result, last_error=None)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=[JobRun.name], set_={
            "runs": JobRun.runs + 1, "last_started_at": stmt.excluded.last_started_at,
            "last_finished_at": stmt.excluded.last_finished_at, "last_result": stmt.excluded.last_result,
            "last_error": None}))

    async def record_failure(self, name: str, started: dt.datetime, error: str) -> None:
        """A failed run: counted, its error kept; the last finished run and its result stay."""
        stmt = insert(JobRun).values(name=name, runs=1, last_started_at=started, last_error=error)
        await self.session.execute(stmt.on_conflict_do_update(index_elements=[JobRun.name], set_={
            "runs": JobRun.runs + 1, "last_error": stmt.excluded.last_error,
            "last_started_at": func.now()}))

    async def by_name(self) -> dict[str, JobRun]:
        return {r.name: r for r in (await self.session.scalars(select(JobRun))).all()}
