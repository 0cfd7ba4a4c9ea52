"""``create_app(settings)``: the funding service."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.db.session import Database
from kernel.events.consumer import Subscription
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from services.funding.database import PROJECTS, RECORDS
from services.funding.settings import FundingSettings


def create_app(settings: FundingSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    settings = settings or FundingSettings()
    return create_service_app(
        settings,
        title="Anju 资金服务 (funding)",
        description="资金来源与专项债全周期、资金计划、复式记账、拨付审批、应付款、到位率与资金缺口。",
        routers=[],
        records=RECORDS,
        database=database,
        verifier=verifier,
        subscriptions=[Subscription("projects", settings.projects_feed_url, PROJECTS.handlers,
                                    PROJECTS.batch_handlers)],
    )
