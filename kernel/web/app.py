"""The app factory every service uses: lifespan with the database, request
ids, JSON logs, metrics, problem+json, health, and a clean contract."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from kernel.db import Database, make_database
from kernel.errors import ConstraintErrors
from kernel.logging import configure_logging
from kernel.observability import ObservabilityMiddleware
from kernel.openapi import operation_id
from kernel.settings import ServiceSettings
from kernel.web.health import health_router
from kernel.web.metrics import Metrics, metrics_router
from kernel.web.problems import install_problem_handlers


def create_service_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    constraint_errors: ConstraintErrors | None = None,
    database: Database | None = None,
    tags: list[dict[str, str]] | None = None,
    version: str = "1.0.0",
) -> FastAPI:
    """Build a service app. ``database`` lets tests hand in one bound to a test transaction;
    otherwise the engine is made in ``lifespan`` from the settings and disposed at shutdown."""
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = None
        if getattr(app.state, "db", None) is None:
            owned = make_database(settings)
            app.state.db = owned
        try:
            yield
        finally:
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
    )
    app.state.settings = settings
    app.state.db = database
    app.state.metrics = Metrics(settings.service_name)

    install_problem_handlers(app, constraint_errors, settings.default_language)
    app.include_router(health_router())
    app.include_router(metrics_router())
    for router in routers:
        app.include_router(router)

    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
    return app
