"""The gateway's forward in front of a stand-in service served over real HTTP (the kernel's
observability middleware in front of it, as every service has): request bodies counted while
they stream in, the headers of the answer, and the labels of metrics and access-log lines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from starlette.responses import JSONResponse

from gateway.routing.downstream import Downstream, make_downstreams
from gateway.settings import GatewaySettings
from kernel.observability import ObservabilityMiddleware
from kernel.settings import MULTIPART_SLACK
from kernel.web.metrics import Metrics
from services.projects.settings import ProjectsSettings
from tests.support.processes import free_port

CHUNK = 64 * 1024
MIB = 1024 * 1024


def stand_in_service() -> FastAPI:
    """A service of two routes behind the kernel's middleware; it records what it received."""
    app = FastAPI()
    app.state.received = []

    @app.post("/api/v1/projects/uploads", status_code=201)
    async def upload(request: Request) -> dict[str, int]:
        body = await request.body()
        app.state.received.append(len(body))
        return {"received": len(body)}

    @app.get("/api/v1/projects/things/{thing_id}")
    async def get_thing(thing_id: str) -> JSONResponse:
        return JSONResponse({"id": thing_id})

    app.add_middleware(ObservabilityMiddleware, metrics=Metrics("projects"))
    return app


@asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """``app`` over real HTTP on a free port of this machine, in this event loop."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                                           lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture
async def service() -> AsyncIterator[tuple[FastAPI, str]]:
    app = stand_in_service()
    async with serving(app) as base:
        yield app, base


@pytest.fixture
async def proxied(gateway_app: FastAPI, gateway_settings: GatewaySettings,
                  service: tuple[FastAPI, str]) -> AsyncIterator[FastAPI]:
    """The gateway app, its ``projects`` routed to the stand-in service."""
    settings = gateway_settings.model_copy(update={"projects_url": service[1]})
    downstreams: dict[str, Downstream] = make_downstreams(settings)
    gateway_app.state.downstreams = downstreams
    yield gateway_app
    await asyncio.gather(*(d.aclose() for d in downstreams.values()))


@pytest.fixture
async def client(proxied: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=proxied, client=("203.0.113.7", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway", timeout=60) as c:
        yield c


class Pulled:
    """A request body of ``total`` bytes, streamed in chunks; counts what was pulled from it."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = b"x" * CHUNK
        while self.pulled < self.total:
            piece = chunk[: self.total - self.pulled]
            self.pulled += len(piece)
            yield piece


def _assert_too_large(r: httpx.Response, settings: GatewaySettings) -> None:
    assert r.status_code == 413, r.text
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["code"] == "request.too_large"
    assert body["max_bytes"] == settings.max_upload_bytes == 20 * MIB
    assert body["errors"][0]["message"] == "请求体过大：上传的文件不能超过 20 MB"


async def test_a_chunked_body_over_the_limit_is_refused_while_it_streams(
        client: httpx.AsyncClient, gateway_settings: GatewaySettings, service: tuple[FastAPI, str]) -> None:
    body = Pulled(100 * MIB)  # no Content-Length: sent chunked
    r = await client.post("/api/v1/projects/uploads", content=body)
    # Read up to the limit, not the whole body; nothing was forwarded.
    assert body.pulled <= 20 * MIB + MULTIPART_SLACK + CHUNK
    _assert_too_large(r, gateway_settings)
    assert service[0].state.received == []


async def test_a_declared_length_over_the_limit_is_refused_before_reading(
        client: httpx.AsyncClient, gateway_settings: GatewaySettings, service: tuple[FastAPI, str]) -> None:
    size = 20 * MIB + MULTIPART_SLACK + 1
    body = Pulled(size)
    r = await client.post("/api/v1/projects/uploads", content=body, headers={"Content-Length": str(size)})
    assert body.pulled == 0
    _assert_too_large(r, gateway_settings)
    assert service[0].state.received == []


async def test_a_file_of_exactly_the_services_limit_goes_through(
        client: httpx.AsyncClient, service: tuple[FastAPI, str]) -> None:
    limit = ProjectsSettings().document_max_bytes
    r = await client.post("/api/v1/projects/uploads", files={"file": ("plan.pdf", b"%" * limit, "application/pdf")})
    assert r.status_code == 201, r.text[:300]
    assert r.json()["received"] > limit  # the file and its multipart envelope


def test_the_gateway_accepts_what_every_service_accepts() -> None:
    gateway, projects = GatewaySettings(), ProjectsSettings()
    assert gateway.max_upload_bytes >= max(projects.document_max_bytes, projects.sheets_max_bytes)
    assert gateway.max_request_bytes == gateway.max_upload_bytes + MULTIPART_SLACK


async def test_a_proxied_answer_has_one_date_and_at_most_one_server(proxied: FastAPI) -> None:
    async with serving(proxied) as gateway, httpx.AsyncClient(base_url=gateway) as c:
        r = await c.get("/api/v1/projects/things/t-1")
        own = await c.get("/healthz")
    assert r.status_code == 200
    assert len(r.headers.get_list("date")) == 1
    assert len(r.headers.get_list("server")) <= 1
    assert "x-anju-route" not in r.headers  # the service's label stays between the two
    assert len(own.headers.get_list("date")) == 1


async def test_a_service_names_its_route_only_when_asked(service: tuple[FastAPI, str]) -> None:
    async with httpx.AsyncClient(base_url=service[1]) as c:
        plain = await c.get("/api/v1/projects/things/t-1")
        asked = await c.get("/api/v1/projects/things/t-1", headers={"X-Anju-Route": "?"})
    assert "x-anju-route" not in plain.headers
    assert asked.headers["x-anju-route"] == "/api/v1/projects/things/{thing_id}"


class _Lines:
    def __init__(self) -> None:
        self.lines: list[dict[str, Any]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append({"event": event, **fields})


def _access_log(app: FastAPI) -> _Lines:
    """Swaps the access log of the app's observability middleware for a recorder."""
    layer: Any = app.middleware_stack
    while not isinstance(layer, ObservabilityMiddleware):
        layer = layer.app
    lines = _Lines()
    layer.log = lines
    return lines


async def test_proxied_requests_are_labelled_by_the_services_route_template(
        client: httpx.AsyncClient, proxied: FastAPI) -> None:
    assert (await client.get("/healthz")).status_code == 200  # builds the middleware stack
    lines = _access_log(proxied)
    assert (await client.get("/api/v1/projects/things/0f9a-secret-id")).status_code == 200
    assert (await client.get("/api/v1/projects/nothing/here-42")).status_code == 404  # the service has no route
    assert (await client.get("/api/v1/no-such-service-77/x")).status_code == 404  # nor the gateway
    assert [line["route"] for line in lines.lines] == [
        "/api/v1/projects/things/{thing_id}", "/api/v1/projects/…", "/api/v1/{service}/…"]

    metrics = (await client.get("/metrics")).text
    requests = [line for line in metrics.splitlines() if line.startswith("http_requests_total{")]
    assert any('route="/api/v1/projects/things/{thing_id}"' in line and 'status="200"' in line for line in requests)
    assert any('route="/api/v1/projects/…"' in line and 'status="404"' in line for line in requests)
    assert "unmatched" not in metrics
    for raw in ("0f9a-secret-id", "here-42", "no-such-service-77"):
        assert raw not in metrics
