"""Prometheus metrics: a registry per app (tests build many apps), request
counts and latency by route template, and ``/metrics`` (behind ``<PREFIX>METRICS_TOKEN`` as a
bearer token when one is set; production requires one, see ``kernel.settings``)."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response

from kernel.errors import Unauthorized


class MetricsTokenRequired(Unauthorized):
    code = "metrics.token_required"
    title_zh = "读取运行指标需要指标令牌"
    title_en = "The metrics token is required"


def check_metrics_token(request: Request) -> None:
    """Refuse ``/metrics`` without the configured token (nothing to check when none is set)."""
    expected: str | None = getattr(request.app.state.settings, "metrics_token", None)
    if not expected:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise MetricsTokenRequired()


class Metrics:
    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("http_requests_total", "HTTP requests", ["service", "method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request latency",
                                 ["service", "method", "route"], registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.service = service
        labels = ["service", "producer"]
        self.events_applied = Counter("events_applied_total", "Events applied by this service's consumers", labels,
                                      registry=self.registry)
        self.consumer_lag_events = Gauge("consumer_lag_events", "Events published but not yet applied", labels,
                                         registry=self.registry)
        self.consumer_lag_seconds = Gauge("consumer_lag_seconds", "Age of the oldest event not yet applied", labels,
                                          registry=self.registry)
        self.dead_letters = Gauge("consumer_dead_letters", "Events set aside after repeated failures", labels,
                                  registry=self.registry)


def metrics_router() -> APIRouter:
    router = APIRouter(tags=["ops"], include_in_schema=False)

    @router.get("/metrics")
    async def get_metrics(request: Request) -> Response:
        check_metrics_token(request)
        registry: CollectorRegistry = request.app.state.metrics.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
