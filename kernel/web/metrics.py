"""Prometheus metrics: a registry per app (tests build many apps), request
counts and latency by route template, and ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.responses import Response


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
        registry: CollectorRegistry = request.app.state.metrics.registry
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router
