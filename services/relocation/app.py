"""``create_app(settings)``: the relocation service."""

from __future__ import annotations

from fastapi import FastAPI

from kernel.db import Database
from kernel.web.app import create_service_app
from kernel.web.auth import TokenVerifier
from services.relocation.db.models import RECORDS
from services.relocation.settings import RelocationSettings


def create_app(settings: RelocationSettings | None = None, *, database: Database | None = None,
               verifier: TokenVerifier | None = None) -> FastAPI:
    return create_service_app(
        settings or RelocationSettings(),
        title="Anju 征迁服务 (relocation)",
        description="户、调查、评估、补偿方案与补偿计算、协议签约、法定时限、腾房拆除清零、公示与信访。",
        routers=[],
        records=RECORDS,
        database=database,
        verifier=verifier,
    )
