"""Settings of the relocation service (env prefix ``RELOCATION_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class RelocationSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RELOCATION_", extra="ignore")

    service_name: str = "relocation"
    db_role: str | None = "anju_relocation_app"
    projects_feed_url: str = "http://127.0.0.1:8001/internal/v1/projects/events"
    port: int = 8002
