"""Settings of the housing service (env prefix ``HOUSING_``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from kernel.settings import ServiceSettings


class HousingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="HOUSING_", extra="ignore")

    service_name: str = "housing"
    port: int = 8003
