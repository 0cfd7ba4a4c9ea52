"""``create_app(settings)``: the projects service, composed of its slices (``SLICES``)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from kernel.calendar import today
from kernel.db.session import Database
from kernel.events.consumer import Subscription
from kernel.schedule import PeriodicJob, running
from kernel.web import slices
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from kernel.web.slices import Slice
from services.projects import (
    command,
    consultations,
    documents,
    escalation,
    feeds,
    jobs,
    land,
    problems,
    regions,
    registry,
    sheets,
    stages,
    supervision,
    tasks,
)
from services.projects.command import errors as command_errors
from services.projects.command import routes as command_routes
from services.projects.consultations import errors as consultations_errors
from services.projects.consultations import routes as consultations_routes
from services.projects.database import RECORDS
from services.projects.demo import (
    command as command_demo,
)
from services.projects.demo import (
    consultations as consultations_demo,
)
from services.projects.demo import (
    land as land_demo,
)
from services.projects.demo import (
    seed as registry_demo,
)
from services.projects.demo import (
    stages as stages_demo,
)
from services.projects.demo import (
    work as work_demo,
)
from services.projects.documents import errors as documents_errors
from services.projects.documents import routes as documents_routes
from services.projects.escalation import errors as escalation_errors
from services.projects.escalation import routes as escalation_routes
from services.projects.feeds import service as feeds_service
from services.projects.jobs import routes as jobs_routes
from services.projects.jobs import service as jobs_service
from services.projects.land import errors as land_errors
from services.projects.land import routes as land_routes
from services.projects.problems import errors as problems_errors
from services.projects.problems import routes as problems_routes
from services.projects.regions import errors as regions_errors
from services.projects.regions import routes as regions_routes
from services.projects.registry import errors as registry_errors
from services.projects.registry import routes as registry_routes
from services.projects.settings import ProjectsSettings
from services.projects.sheets import routes as sheets_routes
from services.projects.stages import routes as stages_routes
from services.projects.supervision import errors as supervision_errors
from services.projects.supervision import routes as supervision_routes
from services.projects.tasks import errors as tasks_errors
from services.projects.tasks import routes as tasks_routes

#: The slices of the service, in the order of routers, tags, event handlers and demo loaders.
SLICES: tuple[Slice, ...] = (
    Slice(regions.__name__, regions_routes.router, "regions", "行政区划（12 位代码，上级由代码推出）",
          constraints=regions_errors.CONSTRAINTS, demo=registry_demo.load_regions),
    Slice(registry.__name__, registry_routes.router, "projects",
          "城市更新项目：类型、用地方式、所在区划与片区、目标、阶段",
          constraints=registry_errors.CONSTRAINTS, demo=registry_demo.load_projects),
    Slice(stages.__name__, stages_routes.router, "stages", "项目阶段：计划与实际日期、阶段推进（含前置条件）与历史",
          demo=stages_demo.load),
    Slice(command.__name__, command_routes.router, "command",
          "指挥体系：指挥部、专班、职能部门、实施主体，人员与职务，四级责任链",
          constraints=command_errors.CONSTRAINTS, demo=command_demo.load),
    Slice(tasks.__name__, tasks_routes.router, "tasks", "任务清单（倒排工期）、审批事项及其附件、进度报告、逾期",
          constraints=tasks_errors.CONSTRAINTS, demo=work_demo.load),
    Slice(problems.__name__, problems_routes.router, "problems", "问题清单（挂号/销号）：登记、进展、销号、重新打开",
          constraints=problems_errors.CONSTRAINTS),
    Slice(supervision.__name__, supervision_routes.router, "supervision",
          "督办事项：日调度、周通报、旬协调会议交办，进展、办结与结果公布", constraints=supervision_errors.CONSTRAINTS),
    Slice(escalation.__name__, escalation_routes.router, "escalations", "预警问责规则（如连续零签约约谈）及其触发记录",
          constraints=escalation_errors.CONSTRAINTS),
    Slice(land.__name__, land_routes.router, "parcels", "地块：面积（亩/平方米）、交地、挂牌、成交",
          constraints=land_errors.CONSTRAINTS, demo=land_demo.load),
    Slice(consultations.__name__, consultations_routes.router, "consultations",
          "意愿征询与改造“点单”：轮次、选项、投票、结果",
          constraints=consultations_errors.CONSTRAINTS, demo=consultations_demo.load),
    Slice(sheets.__name__, sheets_routes.router, "sheets", "Excel 导入导出（项目、任务、问题，中文表头，整表校验）"),
    Slice(jobs.__name__, jobs_routes.router, "jobs", "定时作业（逾期问题转督办、预警规则评估）的状态与手动运行"),
    # Its routes carry their owner's tag (tasks, problems).
    Slice(documents.__name__, documents_routes.router, constraints=documents_errors.CONSTRAINTS),
    # Stage gates and escalation rules follow relocation's and funding's figures (contracts).
    Slice(feeds.__name__,
          handlers={"relocation": feeds_service.RELOCATION_HANDLERS, "funding": feeds_service.FUNDING_HANDLERS},
          batch_handlers={"relocation": feeds_service.RELOCATION_BATCH_HANDLERS}),
)

#: Every constraint name the service knows, from every slice.
CONSTRAINT_ERRORS = slices.constraint_errors(SLICES)


def _scheduled_jobs(settings: ProjectsSettings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if not settings.jobs_enabled:
            yield
            return

        options = jobs_service.JobOptions(overdue_supervision_deadline_days=settings.overdue_supervision_deadline_days)

        def job(name: str) -> PeriodicJob:
            return PeriodicJob(name, settings.job_interval_seconds,
                               lambda: jobs_service.run(app.state.db, name, today(), options))

        async with running([job(name) for name in jobs_service.JOBS]):
            yield

    return lifespan


def create_app(settings: ProjectsSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    settings = settings or ProjectsSettings()
    feed_urls = {"relocation": settings.relocation_feed_url, "funding": settings.funding_feed_url}
    return create_service_app(
        settings,
        title="Anju 项目服务 (projects)",
        description="项目与片区、行政区划、阶段、指挥体系、任务、问题清单与督办、地块、意愿征询。",
        routers=slices.routers(SLICES),
        records=RECORDS,
        constraint_errors=CONSTRAINT_ERRORS,
        database=database,
        verifier=verifier,
        extra_lifespan=_scheduled_jobs(settings),
        subscriptions=[Subscription(producer, feed_urls[producer], *slices.handlers_for(SLICES, producer))
                       for producer in slices.producers(SLICES)],
        tags=slices.tags(SLICES),
    )
