"""Settings of the housing service (env prefix ``HOUSING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class HousingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOUSING_", extra="ignore")

    service_name: str = "housing"
    db_role: str | None = "anju_housing_app"
    projects_feed_url: str = "http://127.0.0.1:8001/internal/v1/projects/events"
    port: int = 8003
