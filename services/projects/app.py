"""``create_app(settings)``: the projects service."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from kernel.calendar import today
from kernel.db.session import Database
from kernel.errors import ConstraintErrors
from kernel.events.consumer import Subscription
from kernel.schedule import PeriodicJob, running
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from services.projects.api import (
    routes_command,
    routes_consultations,
    routes_escalations,
    routes_jobs,
    routes_parcels,
    routes_problems,
    routes_projects,
    routes_regions,
    routes_sheets,
    routes_stages,
    routes_supervision,
    routes_tasks,
)
from services.projects.domain import command_errors, consult_errors, jobs, land_errors, stages_errors, work_errors
from services.projects.domain.errors import CONSTRAINT_ERRORS
from services.projects.domain.projects import RECORDS
from services.projects.domain.read_models import FUNDING_HANDLERS, RELOCATION_BATCH_HANDLERS, RELOCATION_HANDLERS
from services.projects.settings import ProjectsSettings

#: Every constraint name the service knows, from every area of the domain.
ALL_CONSTRAINT_ERRORS = ConstraintErrors({
    **CONSTRAINT_ERRORS.by_name,
    **command_errors.CONSTRAINTS,
    **work_errors.CONSTRAINTS,
    **land_errors.CONSTRAINTS,
    **consult_errors.CONSTRAINTS,
    **stages_errors.CONSTRAINTS,
})


def _scheduled_jobs(settings: ProjectsSettings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.jobs_enabled:
            yield
            return

        options = jobs.JobOptions(overdue_supervision_deadline_days=settings.overdue_supervision_deadline_days)

        def job(name: str) -> PeriodicJob:
            return PeriodicJob(name, settings.job_interval_seconds,
                               lambda: jobs.run(app.state.db, name, today(), options))

        async with running([job(name) for name in jobs.JOBS]):
            yield

    return lifespan


def create_app(settings: ProjectsSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    settings = settings or ProjectsSettings()
    return create_service_app(
        settings,
        title="Anju 项目服务 (projects)",
        description="项目与片区、行政区划、阶段、指挥体系、任务、问题清单与督办、地块、意愿征询。",
        routers=[
            routes_regions.router, routes_projects.router, routes_stages.router, routes_command.router,
            routes_tasks.router, routes_problems.router, routes_supervision.router, routes_escalations.router,
            routes_parcels.router, routes_consultations.router, routes_sheets.router, routes_jobs.router,
        ],
        records=RECORDS,
        constraint_errors=ALL_CONSTRAINT_ERRORS,
        database=database,
        verifier=verifier,
        extra_lifespan=_scheduled_jobs(settings),
        # Stage gates and escalation rules follow relocation's and funding's figures (contracts).
        subscriptions=[
            Subscription("relocation", settings.relocation_feed_url, RELOCATION_HANDLERS, RELOCATION_BATCH_HANDLERS),
            Subscription("funding", settings.funding_feed_url, FUNDING_HANDLERS),
        ],
        tags=[
            {"name": "regions", "description": "行政区划（12 位代码，上级由代码推出）"},
            {"name": "projects", "description": "城市更新项目：类型、用地方式、所在区划与片区、目标、阶段"},
            {"name": "stages", "description": "项目阶段：计划与实际日期、阶段推进（含前置条件）与历史"},
            {"name": "command", "description": "指挥体系：指挥部、专班、职能部门、实施主体，人员与职务，四级责任链"},
            {"name": "tasks", "description": "任务清单（倒排工期）、审批事项及其附件、进度报告、逾期"},
            {"name": "problems", "description": "问题清单（挂号/销号）：登记、进展、销号、重新打开"},
            {"name": "supervision", "description": "督办事项：日调度、周通报、旬协调会议交办，进展、办结与结果公布"},
            {"name": "escalations", "description": "预警问责规则（如连续零签约约谈）及其触发记录"},
            {"name": "parcels", "description": "地块：面积（亩/平方米）、交地、挂牌、成交"},
            {"name": "consultations", "description": "意愿征询与改造“点单”：轮次、选项、投票、结果"},
            {"name": "sheets", "description": "Excel 导入导出（项目、任务、问题，中文表头，整表校验）"},
            {"name": "jobs", "description": "定时作业（逾期问题转督办、预警规则评估）的状态与手动运行"},
        ],
    )
