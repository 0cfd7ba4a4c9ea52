"""Errors: scheduled jobs (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, NotFound


class JobNotFound(NotFound):
    code = "job.not_found"
    title_zh = "定时作业不存在"
    title_en = "Scheduled job not found"


class JobBusy(Conflict):
    code = "job.busy"
    title_zh = "该作业正在运行，请稍后再试"
    title_en = "The job is running; try again later"
