"""The gateway's readiness: the probe's view depends on its own database only (one service
down must not take every gateway pod, and login, out of rotation); the full view fans out."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from gateway.routing.downstream import make_downstreams
from gateway.settings import GatewaySettings
from tests.support.processes import free_port


@pytest.fixture
async def services_down(gateway_app: FastAPI, gateway_settings: GatewaySettings) -> AsyncIterator[None]:
    nobody = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = gateway_settings.model_copy(update={f"{name}_url": nobody for name in gateway_settings.service_urls()})
    gateway_app.state.downstreams = make_downstreams(settings)
    yield
    for d in gateway_app.state.downstreams.values():
        await d.aclose()


@pytest.mark.usefixtures("services_down")
async def test_the_probe_s_readiness_needs_only_the_gateway_s_database(gw: httpx.AsyncClient) -> None:
    r = await gw.get("/readyz", params={"deep": "false"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "ready"
    assert body["database"]["status"] == "ready"
    assert body["services"] == {}  # not asked


@pytest.mark.usefixtures("services_down")
async def test_the_full_view_still_reports_every_service(gw: httpx.AsyncClient) -> None:
    r = await gw.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert body["database"]["status"] == "ready"
    assert {s["status"] for s in body["services"].values()} == {"unready"}
    assert set(body["services"]) == {"projects", "relocation", "housing", "funding"}
