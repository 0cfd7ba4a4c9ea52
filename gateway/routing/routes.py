"""Routes: the gateway's own health and readiness (readiness checks its database and fans
out to every service; ``?deep=false``, the probe's, checks its database only), and routing
``/api/v1/<service>/...`` to the services, path unchanged
(``route``: the app appends it after every other route)."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

import aiohttp
from fastapi import APIRouter, Query, Request
from multidict import CIMultiDict
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.routing.downstream import Downstream
from gateway.routing.errors import UnknownService, UpstreamTimeout, UpstreamUnavailable, body_too_large
from gateway.routing.rules import UNROUTED_LABEL, proxied_route_label
from gateway.routing.schemas import GatewayReadiness, ServiceReadiness
from kernel.db.session import Database
from kernel.observability import ROUTE_HEADER, ROUTE_LABEL
from kernel.requestid import current_request_id
from kernel.web.health import Health
from kernel.web.problems import problem_responses

router = APIRouter(tags=["ops"])


@router.get("/healthz", response_model=Health, summary="存活检查", operation_id="ops-get_health")
async def get_health(request: Request) -> Health:
    return Health(status="ok", service="gateway")


async def _probe(target: Downstream, timeout_s: float) -> ServiceReadiness:
    start = time.perf_counter()
    try:
        async with target.http.get(target.url("/readyz"), timeout=aiohttp.ClientTimeout(total=timeout_s)) as resp:
            status = resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        return ServiceReadiness(status="unready", error=type(exc).__name__)
    latency = round((time.perf_counter() - start) * 1000, 2)
    if status == 200:
        return ServiceReadiness(status="ready", latency_ms=latency)
    return ServiceReadiness(status="unready", latency_ms=latency, error=f"HTTP {status}")


async def _ping(db: Database, timeout_s: float) -> ServiceReadiness:
    start = time.perf_counter()
    try:
        await asyncio.wait_for(db.ping(), timeout=timeout_s)
    except Exception as exc:  # any failure means not ready; the reason is reported
        return ServiceReadiness(status="unready", error=type(exc).__name__)
    return ServiceReadiness(status="ready", latency_ms=round((time.perf_counter() - start) * 1000, 2))


@router.get("/readyz", response_model=GatewayReadiness, summary="就绪检查（网关数据库与各下游服务）",
            operation_id="ops-get_readiness",
            responses={**problem_responses(422), 503: {"model": GatewayReadiness}})
async def get_readiness(
    request: Request,
    deep: Annotated[bool, Query(description="是否同时检查各下游服务；false 时只检查网关自身的数据库"
                                            "（供负载均衡的就绪探针使用：一个服务停机不应让网关退出服务）")] = True,
) -> JSONResponse:
    downstreams: dict[str, Downstream] = request.app.state.downstreams if deep else {}
    timeout = request.app.state.settings.readiness_timeout_s
    database, *results = await asyncio.gather(_ping(request.app.state.db, timeout),
                                              *(_probe(d, timeout) for d in downstreams.values()))
    services = dict(zip(downstreams, results, strict=True))
    ready = database.status == "ready" and all(r.status == "ready" for r in results)
    body = GatewayReadiness(status="ready" if ready else "unready", database=database, services=services)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


# --- routing ------------------------------------------------------------------------------------

# Hop-by-hop headers (RFC 9110 §7.6.1) and those the client library sets itself.
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length"}
#: Set on the request by the gateway itself (a client's own are dropped).
_OWN_REQUEST = {"x-request-id", ROUTE_HEADER}
#: Of an answer, what the gateway's own server sets (one Date, one Server) or keeps to itself.
_NOT_RELAYED = _HOP | {"x-request-id", "date", "server", ROUTE_HEADER}


def _request_headers(request: Request) -> list[tuple[str, str]]:
    out = [(k, v) for k, v in request.headers.items() if k not in _HOP and k not in _OWN_REQUEST]
    rid = current_request_id()
    if rid:
        out.append(("x-request-id", rid))
    out.append((ROUTE_HEADER, "?"))  # the service answers with the template of its route
    client = request.client.host if request.client else None
    if client:
        prior = request.headers.get("x-forwarded-for")
        out = [(k, v) for k, v in out if k != "x-forwarded-for"]
        out.append(("x-forwarded-for", f"{prior}, {client}" if prior else client))
    return out


def _response_headers(resp: aiohttp.ClientResponse) -> dict[str, str]:
    return {k: v for k, v in resp.headers.items() if k.lower() not in _NOT_RELAYED}


async def _body(request: Request, max_upload_bytes: int, max_request_bytes: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass ``max_request_bytes``:
    a declared length before anything is read, a streamed (chunked) body when the bytes
    counted so far pass it. Never more than the limit is held."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_request_bytes:
        raise body_too_large(max_upload_bytes)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_request_bytes:
            raise body_too_large(max_upload_bytes)
        if chunk:
            chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def forward(request: Request) -> Response:
    """Forward the request as it came (path, query, body, headers less hop-by-hop)."""
    service = request.path_params["service"]
    downstreams: dict[str, Downstream] = request.app.state.downstreams
    target = downstreams.get(service)
    if target is None:
        request.scope[ROUTE_LABEL] = UNROUTED_LABEL
        raise UnknownService()
    request.scope[ROUTE_LABEL] = proxied_route_label(service, None)
    if not target.allow():
        raise UpstreamUnavailable("circuit open")
    settings = request.app.state.settings
    body = await _body(request, settings.max_upload_bytes, settings.max_request_bytes)
    query = request.scope["query_string"]
    path = request.scope["raw_path"].decode("ascii") + ("?" + query.decode("ascii") if query else "")
    try:
        async with target.http.request(request.method, target.url(path),
                                          headers=CIMultiDict(_request_headers(request)),
                                          data=body or None, allow_redirects=False) as resp:
            content = await resp.read()
            status, headers = resp.status, _response_headers(resp)
            request.scope[ROUTE_LABEL] = proxied_route_label(service, resp.headers.get(ROUTE_HEADER))
    except TimeoutError as exc:  # aiohttp's timeouts are both
        target.failed()
        raise UpstreamTimeout(f"{service} did not answer in time") from exc
    except aiohttp.ClientError as exc:
        target.failed()
        raise UpstreamUnavailable(f"{service} is unreachable") from exc
    if status >= 500 and status != 503:
        target.failed()
    else:
        target.succeeded()
    return Response(content=content, status_code=status, headers=headers)


#: A plain Starlette route: a catch-all forward needs no dependency solving or response validation.
#: Every method goes through: the service knows which ones a path serves (its 405 names them).
route = Route("/api/v1/{service}/{path:path}", forward,
              methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"], include_in_schema=False)
