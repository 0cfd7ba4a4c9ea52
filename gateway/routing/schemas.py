"""Response schemas of the gateway's readiness (its database and every service)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ServiceReadiness(BaseModel):
    status: Literal["ready", "unready"]
    latency_ms: float | None = None
    error: str | None = None


class GatewayReadiness(BaseModel):
    status: Literal["ready", "unready"]
    database: ServiceReadiness = Field(description="网关自身的数据库（用户、令牌、签名密钥）")
    services: dict[str, ServiceReadiness]
