"""Routing ``/api/v1/<service>/...`` to the services, path unchanged."""

from __future__ import annotations

import aiohttp
from multidict import CIMultiDict
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.api.errors import BodyTooLarge, UnknownService, UpstreamTimeout, UpstreamUnavailable
from gateway.downstream import Downstream
from kernel.requestid import current_request_id

# Hop-by-hop headers (RFC 9110 §7.6.1) and those the client library sets itself.
_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length"}


def _request_headers(request: Request) -> list[tuple[str, str]]:
    out = [(k, v) for k, v in request.headers.items() if k not in _HOP and k != "x-request-id"]
    rid = current_request_id()
    if rid:
        out.append(("x-request-id", rid))
    client = request.client.host if request.client else None
    if client:
        prior = request.headers.get("x-forwarded-for")
        out = [(k, v) for k, v in out if k != "x-forwarded-for"]
        out.append(("x-forwarded-for", f"{prior}, {client}" if prior else client))
    return out


def _response_headers(resp: aiohttp.ClientResponse) -> dict[str, str]:
    return {k: v for k, v in resp.headers.items() if k.lower() not in _HOP and k.lower() != "x-request-id"}


async def forward(request: Request) -> Response:
    """Forward the request as it came (path, query, body, headers less hop-by-hop)."""
    service = request.path_params["service"]
    downstreams: dict[str, Downstream] = request.app.state.downstreams
    target = downstreams.get(service)
    if target is None:
        raise UnknownService()
    if not target.allow():
        raise UpstreamUnavailable("circuit open")
    body = await request.body()
    if len(body) > request.app.state.settings.max_body_bytes:
        raise BodyTooLarge()
    query = request.scope["query_string"]
    path = request.scope["raw_path"].decode("ascii") + ("?" + query.decode("ascii") if query else "")
    try:
        async with target.session.request(request.method, target.url(path),
                                          headers=CIMultiDict(_request_headers(request)),
                                          data=body or None, allow_redirects=False) as resp:
            content = await resp.read()
            status, headers = resp.status, _response_headers(resp)
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
