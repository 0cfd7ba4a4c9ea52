"""Fail closed (issue 11, item 6): a production process refuses the development keys and
authentication off; row-level security is on by default; the client's address is taken from
``X-Forwarded-For`` only when the direct peer is a trusted proxy; ``/metrics`` takes a token;
every response carries the security headers. No database: the apps here never open one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import ValidationError
from pydantic_settings import BaseSettings

from gateway.settings import GatewaySettings
from kernel.pii.cipher import new_key
from kernel.records import KernelRecords
from kernel.requestid import TrustedProxies, current_client_ip
from kernel.settings import ServiceSettings
from kernel.web.app import create_service_app
from services.funding.settings import FundingSettings
from services.housing.settings import HousingSettings
from services.projects.database import RECORDS
from services.projects.settings import ProjectsSettings
from services.relocation.settings import RelocationSettings
from tests.support.auth import bearer, verifier

EVERY_PROCESS: tuple[type[ServiceSettings], ...] = (
    ProjectsSettings, RelocationSettings, HousingSettings, FundingSettings, GatewaySettings)


def prefix(cls: type[BaseSettings]) -> str:
    return str(cls.model_config.get("env_prefix", ""))


def real_keys() -> dict[str, Any]:
    return {"pii_keyring": f"k1:{new_key()}", "pii_active_key": "k1", "pii_index_key": new_key(),
            "metrics_token": "scrape-token-for-tests"}


# --------------------------------------------------------------------------------------------
# 1. environment
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", EVERY_PROCESS, ids=lambda c: c.__name__)
def test_production_refuses_the_development_pii_keys(cls: type[ServiceSettings]) -> None:
    with pytest.raises(ValidationError, match=f"{prefix(cls)}PII_KEYRING"):
        cls(environment="production", metrics_token="t")
    keys = real_keys()
    with pytest.raises(ValidationError, match=f"{prefix(cls)}PII_INDEX_KEY"):
        cls(environment="production", **{**keys, "pii_index_key": ServiceSettings().pii_index_key})
    assert cls(environment="production", **keys).environment == "production"


@pytest.mark.parametrize("cls", EVERY_PROCESS, ids=lambda c: c.__name__)
def test_production_refuses_authentication_off(cls: type[ServiceSettings]) -> None:
    with pytest.raises(ValidationError, match=f"{prefix(cls)}AUTH_MODE"):
        cls(environment="production", auth_mode="off", **real_keys())


@pytest.mark.parametrize("environment", ["local", "test"])
def test_local_and_test_runs_keep_the_development_defaults(environment: str) -> None:
    s = ProjectsSettings(environment=environment, auth_mode="off")
    assert s.auth_mode == "off"


def test_environment_comes_from_the_prefix_or_the_common_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROJECTS_ENVIRONMENT", raising=False)
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    assert ProjectsSettings().environment == "local"
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("PROJECTS_METRICS_TOKEN", "scrape")
    with pytest.raises(ValidationError, match="PROJECTS_PII_KEYRING"):
        ProjectsSettings()
    monkeypatch.setenv("PROJECTS_ENVIRONMENT", "test")
    assert ProjectsSettings().environment == "test"
    monkeypatch.setenv("PROJECTS_ENVIRONMENT", "staging")
    with pytest.raises(ValidationError):
        ProjectsSettings()


def test_production_requires_a_metrics_token() -> None:
    keys = real_keys()
    del keys["metrics_token"]
    with pytest.raises(ValidationError, match="PROJECTS_METRICS_TOKEN"):
        ProjectsSettings(environment="production", **keys)


# --------------------------------------------------------------------------------------------
# 3. row-level security on by default
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", EVERY_PROCESS, ids=lambda c: c.__name__)
def test_row_level_security_is_on_by_default(cls: type[ServiceSettings], monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DB_RLS", "DB_ROLE"):
        monkeypatch.delenv(prefix(cls) + name, raising=False)
    s = cls()
    assert s.db_rls is True
    assert s.db_role == f"anju_{s.service_name}_app"


# --------------------------------------------------------------------------------------------
# 4. trusted proxies
# --------------------------------------------------------------------------------------------


def test_the_forwarded_address_counts_only_from_a_trusted_peer() -> None:
    trusted = TrustedProxies.parse("127.0.0.1, ::1, 10.0.0.0/8")
    assert trusted.client("203.0.113.9", "198.51.100.7") == "203.0.113.9"  # untrusted peer: its own address
    assert trusted.client("127.0.0.1", "198.51.100.7") == "198.51.100.7"
    # The rightmost address that is not a trusted proxy: what a client put first is not believed.
    assert trusted.client("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9") == "198.51.100.7"
    assert trusted.client("10.1.2.3", "10.2.2.2, 10.9.9.9") == "10.2.2.2"  # all trusted: the first
    assert trusted.client("127.0.0.1", "not-an-address") == "127.0.0.1"
    assert trusted.client("127.0.0.1", None) == "127.0.0.1"
    assert trusted.client(None, "198.51.100.7") is None
    assert TrustedProxies.parse("").client("127.0.0.1", "198.51.100.7") == "127.0.0.1"
    with pytest.raises(ValueError, match="trusted"):
        TrustedProxies.parse("not-a-network")


probe = APIRouter()


@probe.get("/api/v1/probe/whoami")
async def whoami() -> dict[str, str | None]:
    return {"client_ip": current_client_ip()}


def app_for(settings: ServiceSettings, records: KernelRecords = RECORDS) -> FastAPI:
    return create_service_app(settings, title="t", description="t", routers=[probe], records=records,
                              verifier=verifier(settings.service_name))


def client(app: FastAPI, peer: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(peer, 4321)), base_url="http://t")


async def test_the_request_records_the_forwarded_address_only_from_a_trusted_peer() -> None:
    app = app_for(ProjectsSettings(trusted_proxies="10.0.0.5"))
    forwarded = {"X-Forwarded-For": "198.51.100.7"}
    async with client(app, "10.0.0.5") as c:
        assert (await c.get("/api/v1/probe/whoami", headers=forwarded)).json() == {"client_ip": "198.51.100.7"}
    async with client(app, "203.0.113.9") as c:
        assert (await c.get("/api/v1/probe/whoami", headers=forwarded)).json() == {"client_ip": "203.0.113.9"}


# --------------------------------------------------------------------------------------------
# 5. /metrics
# --------------------------------------------------------------------------------------------


async def test_metrics_take_the_token_when_one_is_set() -> None:
    async with client(app_for(ProjectsSettings(metrics_token="s3cret-scrape"))) as c:
        assert (await c.get("/metrics")).status_code == 401
        assert (await c.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 401
        assert (await c.get("/metrics", headers=bearer("admin"))).status_code == 401  # a user's token is not it
        ok = await c.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape"})
        assert ok.status_code == 200
        assert "http_requests_total" in ok.text
    async with client(app_for(ProjectsSettings())) as c:  # local run without a token: open
        assert (await c.get("/metrics")).status_code == 200


# --------------------------------------------------------------------------------------------
# 6. security headers
# --------------------------------------------------------------------------------------------


async def test_every_response_carries_the_security_headers() -> None:
    app = app_for(ProjectsSettings(trusted_proxies="10.0.0.5"))
    async with client(app) as c:
        api = await c.get("/api/v1/probe/whoami")
        health = await c.get("/healthz")
        missing = await c.get("/api/v1/probe/nothing-here")
    for r in (api, health, missing):
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers.get_list("x-content-type-options") == ["nosniff"]
    assert api.headers["cache-control"] == "no-store"
    assert missing.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in api.headers  # plain HTTP


async def test_hsts_only_over_tls_or_from_a_trusted_proxy_saying_so() -> None:
    app = app_for(ProjectsSettings(trusted_proxies="10.0.0.5"))
    https = {"X-Forwarded-Proto": "https"}
    async with client(app, "10.0.0.5") as c:
        r = await c.get("/api/v1/probe/whoami", headers=https)
        assert r.headers["strict-transport-security"].startswith("max-age=")
    async with client(app, "203.0.113.9") as c:
        r = await c.get("/api/v1/probe/whoami", headers=https)
        assert "strict-transport-security" not in r.headers
    tls = httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("203.0.113.9", 1)),
                            base_url="https://t")
    async with tls as c:
        assert "strict-transport-security" in (await c.get("/healthz")).headers
