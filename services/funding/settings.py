"""Settings of the funding service (env prefix ``FUNDING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class FundingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="FUNDING_", extra="ignore")

    service_name: str = "funding"
    db_role: str | None = "anju_funding_app"
    projects_feed_url: str = "http://127.0.0.1:8001/internal/v1/projects/events"
    port: int = 8004
