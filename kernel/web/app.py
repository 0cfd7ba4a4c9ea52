"""The app factory every service uses: lifespan with the database, request
ids, JSON logs, metrics, problem+json, health, and a clean contract."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from starlette.responses import Response

from kernel.audit.routes import audit_router
from kernel.db.session import Database, make_database
from kernel.errors import ConstraintErrors
from kernel.events.consumer import ClientCredentials, Consumer, Subscription
from kernel.events.routes import events_router, ops_router
from kernel.idempotency.web import Replay, replay_response
from kernel.logging import configure_logging
from kernel.observability import ObservabilityMiddleware
from kernel.openapi import operation_id
from kernel.records import KernelRecords
from kernel.requestid import TrustedProxies
from kernel.runtime import tune_gc
from kernel.settings import ServiceSettings
from kernel.web.auth import TokenVerifier, document_permissions
from kernel.web.docs import install_docs
from kernel.web.head import HeadAsGet
from kernel.web.health import health_router
from kernel.web.metrics import Metrics, metrics_router
from kernel.web.problems import install_problem_handlers
from kernel.web.query_guard import refuse_unknown_query
from kernel.web.security_headers import SecurityHeaders
from kernel.web.text_guard import refuse_bad_text


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    records: KernelRecords,
    constraint_errors: ConstraintErrors | None = None,
    database: Database | None = None,
    verifier: TokenVerifier | None = None,
    tags: list[dict[str, str]] | None = None,
    extra_lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    subscriptions: Sequence[Subscription] = (),
    include_health: bool = True,
    version: str = "1.0.0",
) -> FastAPI:
    """Build a service app. ``database`` and ``verifier`` let tests hand in a database bound
    to a test transaction and a static key set; otherwise both are made in ``lifespan``
    from the settings and closed at shutdown."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json)
    log = structlog.get_logger("kernel.app")
    if settings.auth_mode == "off":
        log.warning("auth_disabled", detail="token checks are OFF: for benchmarks only")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_gc()  # everything is imported and built by now, in every worker process
        owned = None
        if getattr(app.state, "db", None) is None:
            owned = make_database(settings)
            app.state.db = owned
        jwks_client = None
        if getattr(app.state, "verifier", None) is None:
            jwks_client = httpx.AsyncClient(timeout=httpx.Timeout(3.0))
            static = json.loads(settings.jwks_json) if settings.jwks_json else None
            app.state.verifier = TokenVerifier(audience=settings.service_name, jwks_url=settings.jwks_url,
                                               jwks=static, client=jwks_client)
        purge = asyncio.create_task(_purge_idempotency_keys(app))
        stop_consumers = asyncio.Event()
        consumer_tasks, consumer_client = _start_consumers(app, settings, subscriptions, stop_consumers)
        try:
            if extra_lifespan is None:
                yield
            else:
                async with extra_lifespan(app):
                    yield
        finally:
            stop_consumers.set()
            for task in consumer_tasks:
                task.cancel()
            await asyncio.gather(*consumer_tasks, return_exceptions=True)
            if consumer_client is not None:
                await consumer_client.aclose()
            purge.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purge
            if jwks_client is not None:
                await jwks_client.aclose()
            if owned is not None:
                await owned.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_tags=[*(tags or []), {"name": "ops", "description": "运行状态：存活与就绪检查"}],
        generate_unique_id_function=operation_id,
        separate_input_output_schemas=False,
        docs_url=None,  # served by kernel.web.docs, with the assets from a package, not a CDN
        redoc_url=None,
        # Text is checked once for every route (kernel.text): no NUL or other control characters,
        # no bidirectional overrides, no value made only of invisible characters.
        dependencies=[Depends(refuse_bad_text), Depends(refuse_unknown_query)],
    )
    app.state.settings = settings
    app.state.db = database
    app.state.verifier = verifier
    app.state.records = records
    app.state.consumers = []
    app.state.metrics = Metrics(settings.service_name)

    install_problem_handlers(app, constraint_errors, settings.default_language)

    @app.exception_handler(Replay)
    async def _replay(request: Request, exc: Replay) -> Response:
        return replay_response(exc.stored)

    install_docs(app, title)
    if include_health:
        app.include_router(health_router())
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router)
    app.include_router(audit_router(settings.service_name))
    app.include_router(events_router(settings.service_name))
    app.include_router(ops_router(settings.service_name))
    document_permissions(app)

    trusted = TrustedProxies.parse(settings.trusted_proxies)
    app.add_middleware(SecurityHeaders, trusted=trusted)
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics, trusted=trusted)
    app.add_middleware(HeadAsGet)  # outermost: HEAD is served, observed and answered as GET
    return app


async def _purge_idempotency_keys(app: FastAPI, every_s: float = 3600.0) -> None:
    """Expired idempotency keys are deleted hourly (they are also ignored once expired)."""
    log = structlog.get_logger("kernel.idempotency")
    while True:
        await asyncio.sleep(every_s)
        try:
            db: Database = app.state.db
            async with db.sessionmaker() as session, session.begin():
                removed = await app.state.records.idempotency.purge_expired(session)
            log.info("idempotency_keys_purged", removed=removed)
        except Exception as exc:  # keep purging later; a failed round is not fatal
            log.warning("idempotency_purge_failed", error=type(exc).__name__)


def _start_consumers(app: FastAPI, settings: ServiceSettings, subscriptions: Sequence[Subscription],
                     stop: asyncio.Event) -> tuple[list[asyncio.Task[None]], httpx.AsyncClient | None]:
    """One consumer per subscription, in this process unless ``consume`` is off (then
    ``python -m <service> consume`` runs them). The consumers are listed in app.state
    either way, for the operational view."""
    if not subscriptions:
        return [], None
    client = httpx.AsyncClient(timeout=httpx.Timeout(40.0, connect=3.0))
    tokens = None
    if settings.client_id and settings.client_secret:
        tokens = ClientCredentials(client, settings.token_url, settings.client_id, settings.client_secret)
    metrics = app.state.metrics

    name = settings.service_name

    def count_applied(producer: str, n: int) -> None:
        metrics.events_applied.labels(name, producer).inc(n)

    def progress(producer: str, pending: int | None, behind_s: float) -> None:
        if pending is not None:
            metrics.consumer_lag_events.labels(name, producer).set(pending)
        metrics.consumer_lag_seconds.labels(name, producer).set(behind_s)

    def dead_letter(producer: str) -> None:
        metrics.dead_letters.labels(name, producer).inc()

    app.state.consumers = [Consumer(app.state.db, app.state.records.inbox, sub,
                                    tokens=sub.tokens(app.state.db) if sub.tokens else tokens, client=client,
                                    batch=settings.consumer_batch, on_applied=count_applied,
                                    on_progress=progress, on_dead_letter=dead_letter)
                           for sub in subscriptions]
    if not settings.consume:
        return [], client
    ready = [c for c in app.state.consumers if c.tokens is not None]
    if len(ready) < len(app.state.consumers):
        structlog.get_logger("kernel.events.consumer").warning(
            "consumers_not_started", reason="no client_id/client_secret to read the feeds with",
            producers=[c.producer for c in app.state.consumers if c.tokens is None])
    return [asyncio.create_task(c.run(stop)) for c in ready], client
