"""The scheduled jobs of the projects service, and running one: in its own
transaction with every scope, under a transaction lock so that one replica runs a
job at a time, with its last run recorded in ``job_run``."""

from __future__ import annotations

import datetime as dt
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope, utcnow
from kernel.errors import FieldError
from services.projects.escalation.service import evaluate_escalations
from services.projects.jobs.errors import BusinessDateInFuture, JobBusy, JobNotFound
from services.projects.jobs.repository import JobRunRepository
from services.projects.problems.service import escalate_overdue_problems


@dataclass(frozen=True, slots=True)
class JobOptions:
    """The numbers jobs use (from the service's settings)."""

    overdue_supervision_deadline_days: int = 7


async def _overdue_problems(session: AsyncSession, today: dt.date, options: JobOptions) -> dict[str, int]:
    opened = await escalate_overdue_problems(session, today,
                                             deadline_days=options.overdue_supervision_deadline_days)
    return {"opened": opened}


async def _escalation_rules(session: AsyncSession, today: dt.date, options: JobOptions) -> dict[str, int]:
    return await evaluate_escalations(session, today)


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    label: str
    run: Callable[[AsyncSession, dt.date, JobOptions], Awaitable[dict[str, int]]]


JOBS: dict[str, Job] = {j.name: j for j in (
    Job("escalation-rules", "预警规则评估（连续零签约约谈等）", _escalation_rules),
    Job("overdue-problems", "逾期问题转督办", _overdue_problems),
)}


def get_job(name: str) -> Job:
    job = JOBS.get(name)
    if job is None:
        raise JobNotFound()
    return job


def business_date(as_of: dt.date | None, today: dt.date) -> dt.date:
    """The date a job is run for: today, or an earlier day to catch up; never a day to come."""
    if as_of is None:
        return today
    if as_of > today:
        raise BusinessDateInFuture(errors=[FieldError("query.as_of", "date_in_future",
                                                      f"业务日期 {as_of.isoformat()} 晚于今天 {today.isoformat()}")])
    return as_of


async def run_in(session: AsyncSession, name: str, today: dt.date, options: JobOptions = JobOptions(), *,
                 wait: bool = False) -> dict[str, int]:
    """Run a job inside the caller's transaction (scope must allow everything)."""
    job = get_job(name)
    repo = JobRunRepository(session)
    lock = "projects.job." + name
    if wait:
        await repo.lock(lock)
    elif not await repo.try_lock(lock):
        raise JobBusy()
    started = utcnow()
    result = await job.run(session, today, options)
    await repo.record_success(name, started, utcnow(), result)
    return result


async def run(db: Database, name: str, today: dt.date, options: JobOptions = JobOptions()) -> dict[str, int]:
    """The scheduler's entry: one transaction; a failure is recorded and re-raised."""
    try:
        async with db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())
            return await run_in(session, name, today, options)
    except JobBusy:
        return {"skipped": 1}
    except Exception:
        async with db.sessionmaker() as session, session.begin():
            await apply_scope(session, DataScope.everything())
            await JobRunRepository(session).record_failure(name, utcnow(),
                                                           traceback.format_exc(limit=3)[-2000:])
        raise


async def status(session: AsyncSession) -> list[dict[str, Any]]:
    rows = await JobRunRepository(session).by_name()
    out = []
    for job in JOBS.values():
        r = rows.get(job.name)
        out.append({"name": job.name, "label": job.label, "runs": r.runs if r else 0,
                    "last_started_at": r.last_started_at if r else None,
                    "last_finished_at": r.last_finished_at if r else None,
                    "last_result": r.last_result if r else None, "last_error": r.last_error if r else None})
    return out
