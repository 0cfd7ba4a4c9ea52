"""``create_app(settings)``: the housing service."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.db.session import Database
from kernel.events.consumer import Subscription
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from services.housing.database import PROJECTS, RECORDS
from services.housing.settings import HousingSettings


def create_app(settings: HousingSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    settings = settings or HousingSettings()
    return create_service_app(
        settings,
        title="Anju 安置房服务 (housing)",
        description="安置小区与房源、质量闭环、交付、安置资格、选房顺序与选房、差价结算、交钥匙、过渡安置。",
        routers=[],
        records=RECORDS,
        database=database,
        verifier=verifier,
        subscriptions=[Subscription("projects", settings.projects_feed_url, PROJECTS.handlers,
                                    PROJECTS.batch_handlers)],
    )
