"""Settings of the gateway (env prefix ``GATEWAY_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from kernel.settings import KernelSettings

SERVICES = ("projects", "relocation", "housing", "funding")
DEFAULT_CONTRACT = Path(__file__).resolve().parent.parent / "openapi" / "gateway.json"


class GatewaySettings(KernelSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    projects_url: str = "http://127.0.0.1:8001"
    relocation_url: str = "http://127.0.0.1:8002"
    housing_url: str = "http://127.0.0.1:8003"
    funding_url: str = "http://127.0.0.1:8004"
    connect_timeout_s: float = Field(default=2.0, gt=0)
    read_timeout_s: float = Field(default=15.0, gt=0)
    readiness_timeout_s: float = Field(default=2.0, gt=0)
    max_connections: int = Field(default=200, ge=1)
    max_keepalive: int = Field(default=50, ge=0)
    max_body_bytes: int = Field(default=20 * 1024 * 1024, ge=1)
    breaker_failures: int = Field(default=5, ge=1, description="consecutive failures that open the breaker")
    breaker_reset_s: float = Field(default=5.0, gt=0, description="how long an open breaker refuses calls")
    contract_path: Path = DEFAULT_CONTRACT

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url") for name in SERVICES}
