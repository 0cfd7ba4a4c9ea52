"""Settings: one pydantic-settings class per service, each with its own env prefix.

A service's database URL comes from ``<PREFIX>DATABASE_URL`` and falls back to the
common ``DATABASE_URL``, so one variable can point every service at one server
(each keeps its own schema) while production gives each service its own database.
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def normalize_database_url(url: str) -> str:
    """Accept the usual ``postgresql://`` spellings and select the asyncpg driver."""
    for prefix in ("postgresql+asyncpg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError("DATABASE_URL must be a PostgreSQL URL (postgresql://...)")


Environment = Literal["local", "test", "production"]
#: Where development defaults (keys in the source, authentication off) are allowed.
DEVELOPMENT_ENVIRONMENTS = frozenset({"local", "test"})
#: Loopback: in the local run the gateway, in front of the services, is on this machine.
LOOPBACK = "127.0.0.1,::1"


#: What a multipart envelope may add to the file it carries: every upload limit (a service's route,
#: the gateway's body limit) allows this much on top of the file's own size.
MULTIPART_SLACK = 64 * 1024


class KernelSettings(BaseSettings):
    """What every process (service or gateway) is configured with."""

    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    # ``<PREFIX>ENVIRONMENT``, else the common ``ENVIRONMENT``: outside local and test runs a
    # process refuses to start with the development keys, authentication off or /metrics open.
    environment: Environment = "local"
    # Peers whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or networks,
    # comma-separated): the ingress in front of the gateway, the gateway in front of a service.
    trusted_proxies: str = Field(default=LOOPBACK, description="proxies whose forwarded headers are believed")
    metrics_token: str | None = Field(default=None, description="bearer token /metrics requires (production: set)")
    service_name: str = "anju"
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = Field(default=1, ge=1, le=64,
                         description="server processes sharing the port (one per core; replicas scale further)")
    log_level: str = "INFO"
    log_json: bool = True
    default_language: str = "zh"
    timezone: str = "Asia/Shanghai"

    @model_validator(mode="before")
    @classmethod
    def _common_environment(cls, data: object) -> object:
        if isinstance(data, dict) and "environment" not in data and os.environ.get("ENVIRONMENT"):
            return {**data, "environment": os.environ["ENVIRONMENT"]}
        return data

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        from kernel.requestid import TrustedProxies

        TrustedProxies.parse(value)
        return value

    @model_validator(mode="after")
    def _metrics_closed_in_production(self) -> KernelSettings:
        if self.environment not in DEVELOPMENT_ENVIRONMENTS and not self.metrics_token:
            raise ValueError(f"{self.setting('METRICS_TOKEN')} must be set when {self.setting('ENVIRONMENT')} "
                             f"is {self.environment!r}: /metrics is not open outside local and test runs")
        return self

    def setting(self, name: str) -> str:
        """The environment variable of a setting, with this process's prefix."""
        return f"{self.model_config.get('env_prefix', '')}{name}"


class ServiceSettings(KernelSettings):
    """A service that owns a PostgreSQL schema."""

    database_url: str | None = None
    # Connections kept open. Keep it at the concurrency a process serves: an overflow connection
    # is opened for one request and closed after it, and under steady load that churn was the
    # whole tail (p99 170-200 ms -> ~70 ms at 16 clients; docs/decisions/0014). Five deployables
    # at the maximum (16 + 4 each) fit PostgreSQL's default 100 connections.
    db_pool_size: int = Field(default=16, ge=1)
    db_max_overflow: int = Field(default=4, ge=0)
    db_pool_timeout_s: float = Field(default=5.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    page_size_default: int = Field(default=50, ge=1)
    page_size_max: int = Field(default=200, ge=1)
    db_role: str | None = Field(default=None, description="application role to work as (not the tables' owner)")
    db_rls: bool = Field(default=True, description="set the caller's scope for row-level security")

    # identity: tokens come from the gateway and are verified here
    auth_mode: Literal["verify", "off"] = "verify"
    jwks_url: str = "http://127.0.0.1:8000/.well-known/jwks.json"
    jwks_json: str | None = Field(default=None, description="a static JWKS document (tests)")
    # personal information (development keys by default: every deployment sets its own)
    pii_keyring: str = Field(default_factory=lambda: _dev_pii()[0])
    pii_active_key: str = "dev1"
    pii_index_key: str = Field(default_factory=lambda: _dev_pii()[1])
    idempotency_ttl_hours: int = Field(default=168, ge=1)

    # events: this service's consumers read other services' feeds with a token from the gateway
    consume: bool = Field(default=True, description="run this service's event consumers in this process")
    token_url: str = "http://127.0.0.1:8000/api/v1/auth/token"  # noqa: S105 (a URL, not a secret)
    consumer_batch: int = Field(default=500, ge=1, le=1000, description="events fetched and applied per transaction")
    client_id: str | None = None
    client_secret: str | None = None

    @model_validator(mode="after")
    def _fallback_database_url(self) -> ServiceSettings:
        url = self.database_url or os.environ.get("DATABASE_URL")
        if url:
            self.database_url = normalize_database_url(url)
        if self.page_size_default > self.page_size_max:
            raise ValueError("page_size_default must not exceed page_size_max")
        return self

    @model_validator(mode="after")
    def _fail_closed(self) -> ServiceSettings:
        """Outside local and test runs: no development PII keys, no authentication off."""
        if self.environment in DEVELOPMENT_ENVIRONMENTS:
            return self
        dev_keyring, dev_index = _dev_pii()
        dev_key = dev_keyring.partition(":")[2]
        if any(item.partition(":")[2].strip() == dev_key for item in self.pii_keyring.split(",")):
            raise ValueError(f"{self.setting('PII_KEYRING')} holds the development key, which is in the source: "
                             f"set this deployment's own keys when {self.setting('ENVIRONMENT')} is "
                             f"{self.environment!r}")
        if self.pii_index_key.strip() == dev_index:
            raise ValueError(f"{self.setting('PII_INDEX_KEY')} is the development key, which is in the source: "
                             f"set this deployment's own when {self.setting('ENVIRONMENT')} is {self.environment!r}")
        if self.auth_mode == "off":
            raise ValueError(f"{self.setting('AUTH_MODE')}=off is for benchmarks only: refused when "
                             f"{self.setting('ENVIRONMENT')} is {self.environment!r}")
        return self

    def require_database_url(self) -> str:
        if not self.database_url:
            raise RuntimeError(
                f"{self.service_name}: no database configured; set DATABASE_URL "
                f"or {self.model_config.get('env_prefix', '')}DATABASE_URL"
            )
        return self.database_url


def _dev_pii() -> tuple[str, str]:
    from kernel.pii.cipher import DEV_INDEX_KEY, DEV_KEYRING

    return DEV_KEYRING, DEV_INDEX_KEY
