"""Routes: the scheduled jobs — their last runs, and running one now (operators)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query, Request

from kernel.auth.principal import DataScope
from kernel.calendar import today
from kernel.db.session import apply_scope
from kernel.web.deps import SessionDep, api_router
from kernel.web.problems import problem_responses
from services.projects.jobs import service as uc
from services.projects.jobs.schemas import JobList, JobRead
from services.projects.permissions import ManageEscalations

router = api_router("/api/v1/projects", "jobs")


@router.get("/jobs", response_model=JobList, summary="定时作业及其最近一次运行")
async def list_jobs(session: SessionDep, actor: ManageEscalations) -> JobList:
    await apply_scope(session, DataScope.everything())
    return JobList(items=[JobRead.model_validate(j) for j in await uc.status(session)])


@router.post("/jobs/{name}/run", response_model=JobRead, summary="立即运行一个定时作业",
             description="作业对全部数据运行（不限于调用者的范围），因此仅限系统管理员与指挥部。"
                         "`as_of` 可指定业务日期（默认今天，不能晚于今天），用于补跑。",
             responses=problem_responses(403, 404, 409))
async def run_job(name: str, session: SessionDep, actor: ManageEscalations, request: Request,
                  as_of: Annotated[dt.date | None,
                                   Query(description="业务日期（默认今天；不能晚于今天）")] = None) -> JobRead:
    uc.get_job(name)
    day = uc.business_date(as_of, today())
    await apply_scope(session, DataScope.everything())
    options = uc.JobOptions(
        overdue_supervision_deadline_days=request.app.state.settings.overdue_supervision_deadline_days)
    await uc.run_in(session, name, day, options)
    return JobRead.model_validate(next(j for j in await uc.status(session) if j["name"] == name))
