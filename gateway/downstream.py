"""One pooled ``httpx.AsyncClient`` per downstream service, made in ``lifespan``."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx

from gateway.domain.breaker import Breaker
from gateway.settings import GatewaySettings


@dataclass
class Downstream:
    name: str
    client: httpx.AsyncClient
    breaker: Breaker

    def allow(self) -> bool:
        return self.breaker.allow(time.monotonic())

    def succeeded(self) -> None:
        self.breaker.record_success()

    def failed(self) -> None:
        self.breaker.record_failure(time.monotonic())


def make_downstreams(settings: GatewaySettings) -> dict[str, Downstream]:
    timeout = httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
    limits = httpx.Limits(max_connections=settings.max_connections,
                          max_keepalive_connections=settings.max_keepalive)
    return {
        name: Downstream(
            name=name,
            client=httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, follow_redirects=False),
            breaker=Breaker(settings.breaker_failures, settings.breaker_reset_s),
        )
        for name, url in settings.service_urls().items()
    }
