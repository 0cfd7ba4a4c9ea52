"""The gateway's own health and readiness (readiness checks its database and fans
out to every service)."""

from __future__ import annotations

import asyncio
import time
from typing import Literal

import aiohttp
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from gateway.downstream import Downstream
from kernel.db.session import Database
from kernel.web.health import Health

router = APIRouter(tags=["ops"])


class ServiceReadiness(BaseModel):
    status: Literal["ready", "unready"]
    latency_ms: float | None = None
    error: str | None = None


class GatewayReadiness(BaseModel):
    status: Literal["ready", "unready"]
    database: ServiceReadiness = Field(description="网关自身的数据库（用户、令牌、签名密钥）")
    services: dict[str, ServiceReadiness]


@router.get("/healthz", response_model=Health, summary="存活检查", operation_id="ops-get_health")
async def get_health(request: Request) -> Health:
    return Health(status="ok", service="gateway")


async def _probe(target: Downstream, timeout_s: float) -> ServiceReadiness:
    start = time.perf_counter()
    try:
        async with target.session.get(target.url("/readyz"), timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
            status = resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        return ServiceReadiness(status="unready", error=type(exc).__name__)
    latency = round((time.perf_counter() - start) * 1000, 2)
    if status == 200:
        return ServiceReadiness(status="ready", latency_ms=latency)
    return ServiceReadiness(status="unready", latency_ms=latency, error=f"HTTP {status}")


async def _ping(db: Database, timeout_s: float) -> ServiceReadiness:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(db.ping(), timeout=timeout_s)
    except Exception as exc:  # any failure means not ready; the reason is reported
        return ServiceReadiness(status="unready", error=type(exc).__name__)
    return ServiceReadiness(status="ready", latency_ms=round((time.perf_counter() - start) * 1000, 2))


@router.get("/readyz", response_model=GatewayReadiness, summary="就绪检查（网关数据库与各下游服务）",
            operation_id="ops-get_readiness", responses={503: {"model": GatewayReadiness}})
async def get_readiness(request: Request) -> JSONResponse:
    downstreams: dict[str, Downstream] = request.app.state.downstreams
    timeout = request.app.state.settings.readiness_timeout_s
    database, *results = await asyncio.gather(_ping(request.app.state.db, timeout),
                                              *(_probe(d, timeout) for d in downstreams.values()))
    services = dict(zip(downstreams, results, strict=True))
    ready = database.status == "ready" and all(r.status == "ready" for r in results)
    body = GatewayReadiness(status="ready" if ready else "unready", database=database, services=services)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
