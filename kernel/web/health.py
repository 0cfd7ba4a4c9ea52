"""``/healthz`` (the process is alive) and ``/readyz`` (it can serve: the database answers)."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import JSONResponse


class Health(BaseModel):
    status: Literal["ok"]
    service: str


class CheckResult(BaseModel):
    status: Literal["ready", "unready"]
    latency_ms: float | None = None
    error: str | None = None


class Readiness(BaseModel):
    status: Literal["ready", "unready"]
    service: str
    checks: dict[str, CheckResult]


def health_router(readiness_timeout_s: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["ops"])

    @router.get("/healthz", response_model=Health, summary="存活检查", operation_id="ops-get_health")
    async def get_health(request: Request) -> Health:
        return Health(status="ok", service=request.app.state.settings.service_name)

    @router.get("/readyz", response_model=Readiness, summary="就绪检查（检查数据库）",
                operation_id="ops-get_readiness", responses={503: {"model": Readiness}})
    async def get_readiness(request: Request) -> JSONResponse:
        start = time.perf_counter()
        try:
            await asyncio.wait_for(request.app.state.db.ping(), timeout=readiness_timeout_s)
            check = CheckResult(status="ready", latency_ms=round((time.perf_counter() - start) * 1000, 2))
        except Exception as exc:  # any failure means not ready; the reason is reported
            check = CheckResult(status="unready", error=type(exc).__name__)
        body = Readiness(status=check.status, service=request.app.state.settings.service_name,
                         checks={"database": check})
        return JSONResponse(body.model_dump(), status_code=200 if check.status == "ready" else 503)

    return router
