"""One ASGI middleware for what every request needs observed: its request id
(taken from ``X-Request-ID`` when sane, made up otherwise, echoed back), one
structured access-log line, and Prometheus counts and latency by route
template. One wrapper instead of three keeps the per-request cost low.

A request that carries ``X-Anju-Route`` (the gateway's forward sends it) is answered with the
template of the route that served it in that header, so the proxy in front labels its own
metrics and log lines as the service does (never with the raw path). A handler may set the
label of its request itself under ``ROUTE_LABEL`` in the scope (the gateway's forward does)."""

from __future__ import annotations

import time

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.requestid import (
    REQUEST_ID_HEADER,
    TrustedProxies,
    accept_or_new,
    bind_client_ip,
    bind_request_id,
    reset_client_ip,
    reset_request_id,
)
from kernel.web.metrics import Metrics

_QUIET = frozenset({"/healthz", "/readyz", "/metrics"})
_HEADER = REQUEST_ID_HEADER.encode("latin-1")
#: Asked for in a request, answered with the route template in the response.
ROUTE_HEADER = "x-anju-route"
_ROUTE = ROUTE_HEADER.encode("latin-1")
#: The scope key a handler sets to label its request (bounded: a template, never a raw path).
ROUTE_LABEL = "anju.route_label"
_FORWARDED_FOR = b"x-forwarded-for"
_NO_PROXIES = TrustedProxies(())


def _template(scope: Scope) -> str | None:
    path: str | None = getattr(scope.get("route"), "path", None)
    return path


class ObservabilityMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics, trusted: TrustedProxies = _NO_PROXIES) -> None:
        self.app = app
        self.metrics = metrics
        self.trusted = trusted  # whose X-Forwarded-For names the client (kernel.requestid)
        self.log = structlog.get_logger("access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        announce = False
        forwarded = None
        for name, value in scope.get("headers", ()):
            if name == _HEADER:
                incoming = value.decode("latin-1")
            elif name == _ROUTE:
                announce = True
            elif name == _FORWARDED_FOR:
                forwarded = value.decode("latin-1")
        rid = accept_or_new(incoming)
        token = bind_request_id(rid)
        client = scope.get("client")
        peer = client[0] if client else None
        ip_token = bind_client_ip(self.trusted.client(peer, forwarded) if forwarded else peer)
        rid_bytes = rid.encode("latin-1")
        start = time.perf_counter()
        status = 500

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != _HEADER]
                headers.append((_HEADER, rid_bytes))
                if announce and (template := _template(scope)):
                    headers.append((_ROUTE, template.encode("utf-8")))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get(ROUTE_LABEL) or _template(scope) or "unmatched"
            method = scope.get("method", "")
            m = self.metrics
            m.requests.labels(m.service, method, route, str(status)).inc()
            m.latency.labels(m.service, method, route).observe(elapsed)
            path = scope.get("path", "")
            if path not in _QUIET:
                self.log.info("request", method=method, path=path, route=route, status=status,
                              duration_ms=round(elapsed * 1000, 2))
            reset_request_id(token)
            reset_client_ip(ip_token)
