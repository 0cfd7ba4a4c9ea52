"""``create_app(settings)``: the gateway."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from gateway.api import proxy, routes_ops
from gateway.downstream import make_downstreams
from gateway.settings import GatewaySettings
from kernel.logging import configure_logging
from kernel.observability import ObservabilityMiddleware
from kernel.openapi import operation_id
from kernel.web.metrics import Metrics, metrics_router
from kernel.web.problems import install_problem_handlers

TITLE = "Anju 安居 · 城市更新指挥平台 API"
DESCRIPTION = (
    "城市更新/棚改指挥平台的统一接口。所有业务接口经网关访问：`/api/v1/<服务>/...`。\n\n"
    "错误以 RFC 9457 `application/problem+json` 返回，含稳定的 `code` 与中文 `title`"
    "（请求头 `Accept-Language: en` 时为英文）。金额与面积以字符串表示，保留两位小数。"
)


def own_openapi(app: FastAPI) -> dict[str, Any]:
    """The gateway's own operations only (the export merges the services' into it)."""
    return get_openapi(title=TITLE, version=app.version, description=DESCRIPTION, routes=app.routes)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()
    configure_logging(settings.service_name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.downstreams = make_downstreams(settings)
        try:
            yield
        finally:
            await asyncio.gather(*(d.client.aclose() for d in app.state.downstreams.values()))

    app = FastAPI(title=TITLE, description=DESCRIPTION, version="1.0.0", lifespan=lifespan,
                  generate_unique_id_function=operation_id, separate_input_output_schemas=False)
    app.state.settings = settings
    app.state.metrics = Metrics("gateway")
    install_problem_handlers(app, default_language=settings.default_language)
    app.include_router(routes_ops.router)
    app.include_router(metrics_router())
    app.router.routes.append(proxy.route)
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)

    def contract() -> dict[str, Any]:
        """The committed contract (services' operations included) when present."""
        if app.openapi_schema is None:
            path = settings.contract_path
            app.openapi_schema = json.loads(path.read_text("utf-8")) if path.is_file() else own_openapi(app)
        return app.openapi_schema

    app.openapi = contract  # type: ignore[method-assign]
    return app
