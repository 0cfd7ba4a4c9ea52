"""``create_app(settings)``: the projects service."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.db import Database
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from services.projects.api import routes_projects, routes_regions
from services.projects.domain.errors import CONSTRAINT_ERRORS
from services.projects.domain.projects import RECORDS
from services.projects.settings import ProjectsSettings


def create_app(settings: ProjectsSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    return create_service_app(
        settings or ProjectsSettings(),
        title="Anju 项目服务 (projects)",
        description="项目与片区、行政区划、阶段、指挥体系、任务、问题清单与督办。",
        routers=[routes_regions.router, routes_projects.router],
        records=RECORDS,
        constraint_errors=CONSTRAINT_ERRORS,
        database=database,
        verifier=verifier,
        tags=[
            {"name": "regions", "description": "行政区划（12 位代码，上级由代码推出）"},
            {"name": "projects", "description": "城市更新项目：类型、用地方式、所在区划与片区、目标、阶段"},
        ],
    )
