"""Settings of the gateway (env prefix ``GATEWAY_``).

The gateway is a service of its own: it owns the ``gateway`` schema (users,
machine clients, refresh tokens, login failures, signing keys, its audit
trail) and routes ``/api/v1/<service>/...`` to the four services.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from kernel.settings import MULTIPART_SLACK, ServiceSettings

SERVICES = ("projects", "relocation", "housing", "funding")
DEFAULT_CONTRACT = Path(__file__).resolve().parent.parent / "openapi" / "gateway.json"
#: Who accepts the tokens the gateway issues: every service and the gateway itself.
TOKEN_AUDIENCE = (*SERVICES, "gateway")


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    port: int = 8000
    db_role: str | None = "anju_gateway_app"
    db_rls: bool = True  # users are seen by region (app_user has a row-level security policy)

    # --- routing -------------------------------------------------------------------------------
    projects_url: str = "http://127.0.0.1:8001"
    relocation_url: str = "http://127.0.0.1:8002"
    housing_url: str = "http://127.0.0.1:8003"
    funding_url: str = "http://127.0.0.1:8004"
    connect_timeout_s: float = Field(default=2.0, gt=0)
    read_timeout_s: float = Field(default=15.0, gt=0)
    readiness_timeout_s: float = Field(default=2.0, gt=0)
    max_connections: int = Field(default=200, ge=1)
    max_keepalive: int = Field(default=50, ge=0)
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1,
        description="the largest file a service accepts (PROJECTS_DOCUMENT_MAX_BYTES, PROJECTS_SHEETS_MAX_BYTES): "
                    "a request body may be that plus a multipart envelope (max_request_bytes)")
    breaker_failures: int = Field(default=5, ge=1, description="consecutive failures that open the breaker")
    breaker_reset_s: float = Field(default=5.0, gt=0, description="how long an open breaker refuses calls")
    contract_path: Path = DEFAULT_CONTRACT

    # --- identity ------------------------------------------------------------------------------
    access_token_ttl_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_ttl_days: int = Field(default=30, ge=1, le=365)
    lockout_failures: int = Field(default=5, ge=1, description="failed logins that lock a username out")
    lockout_window_minutes: int = Field(default=15, ge=1, description="the window failed logins are counted in")
    # Per client address, on the login, token and refresh endpoints together: attempts that did
    # not succeed in one window (any usernames or client ids). Kept in PostgreSQL, so every
    # replica counts the same attempts.
    auth_throttle_attempts: int = Field(default=20, ge=1,
                                        description="failed sign-in attempts one address may make per window")
    auth_throttle_window_s: int = Field(default=60, ge=1, le=3600, description="the throttle's window (seconds)")
    token_audience: list[str] = Field(default_factory=lambda: list(TOKEN_AUDIENCE),
                                      description="the aud of every token the gateway issues")
    jwks_grace_minutes: int = Field(default=5, ge=1,
                                    description="a retired key stays published access-token TTL + this long")
    keys_reload_s: float = Field(default=30.0, gt=0,
                                 description="how often a replica rereads the signing keys (after another rotated)")
    # Argon2id parameters (RFC 9106, second recommended option). Stored hashes carry their
    # own parameters; a hash made with weaker ones is upgraded at the next successful login.
    password_time_cost: int = Field(default=3, ge=1)
    password_memory_kib: int = Field(default=64 * 1024, ge=8 * 1024)
    password_parallelism: int = Field(default=4, ge=1)
    password_hash_concurrency: int = Field(default=4, ge=1,
                                           description="hashes computed at once (each takes memory_kib)")

    @model_validator(mode="after")
    def _gateway_in_audience(self) -> GatewaySettings:
        if self.service_name not in self.token_audience:
            raise ValueError("token_audience must include the gateway itself")
        if self.keys_reload_s >= self.jwks_grace_minutes * 60:
            # A replica may sign with a just-retired key until it rereads the keys; the key
            # must stay published long enough for those tokens too.
            raise ValueError("keys_reload_s must be shorter than jwks_grace_minutes")
        return self

    @property
    def max_request_bytes(self) -> int:
        """The largest request body forwarded: the largest upload in its multipart envelope."""
        return self.max_upload_bytes + MULTIPART_SLACK

    def service_urls(self) -> dict[str, str]:
        return {name: getattr(self, f"{name}_url") for name in SERVICES}
