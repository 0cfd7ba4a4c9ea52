"""``create_app(settings)``: the relocation service."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.db.session import Database
from kernel.events.consumer import Subscription
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from services.relocation.database import PROJECTS, RECORDS
from services.relocation.settings import RelocationSettings


def create_app(settings: RelocationSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    settings = settings or RelocationSettings()
    return create_service_app(
        settings,
        title="Anju 征迁服务 (relocation)",
        description="户、调查、评估、补偿方案与补偿计算、协议签约、法定时限、腾房拆除清零、公示与信访。",
        routers=[],
        records=RECORDS,
        database=database,
        verifier=verifier,
        subscriptions=[Subscription("projects", settings.projects_feed_url, PROJECTS.handlers,
                                    PROJECTS.batch_handlers)],
    )
