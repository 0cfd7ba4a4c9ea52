"""Errors: scheduled jobs (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, Invalid, NotFound


class JobNotFound(NotFound):
    code = "job.not_found"
    title_zh = "定时作业不存在"
    title_en = "Scheduled job not found"


class JobBusy(Conflict):
    code = "job.busy"
    title_zh = "该作业正在运行，请稍后再试"
    title_en = "The job is running; try again later"


class BusinessDateInFuture(Invalid):
    """A job runs for a business date that has come: a date ahead would count weeks that have
    not ended (summons for signings that may still happen)."""

    code = "job.as_of_in_future"
    title_zh = "业务日期不能晚于今天"
    title_en = "The business date is in the future"
