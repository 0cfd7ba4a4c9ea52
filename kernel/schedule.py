"""Scheduled jobs run inside a service process: each job every ``every`` seconds,
the first run shortly after start. A job owns its transaction and its lock (so that
with several replicas one of them does the work); a failing run is logged and
retried at the next tick, never fatal to the service."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog

log = structlog.get_logger("kernel.schedule")


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    name: str
    every: float                                  # seconds between runs
    run: Callable[[], Awaitable[object]]


async def _loop(job: PeriodicJob, first_delay: float) -> None:
    await asyncio.sleep(first_delay + random.uniform(0, min(job.every, 60) / 10))  # noqa: S311 (jitter)
    while True:
        try:
            result = await job.run()
            log.info("job_run", job=job.name, result=result)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a failed run is retried at the next tick
            log.warning("job_failed", job=job.name, error=type(exc).__name__, detail=str(exc)[:300])
        await asyncio.sleep(job.every)


@asynccontextmanager
async def running(jobs: Sequence[PeriodicJob], *, first_delay: float = 10.0) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(_loop(job, first_delay), name=f"job:{job.name}") for job in jobs]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
