"""Settings of the projects service (env prefix ``PROJECTS_``)."""

from __future__ import annotations

from decimal import Decimal

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class ProjectsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PROJECTS_", extra="ignore")

    service_name: str = "projects"
    port: int = 8001
    db_role: str | None = "anju_projects_app"
    db_rls: bool = True
    square_metres_per_mu: Decimal = Decimal("666.67")
