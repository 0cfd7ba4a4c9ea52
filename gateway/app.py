"""``create_app(settings)``: the gateway, a service of its own (schema ``gateway``):
identity (users, machine clients, tokens, signing keys) under ``/api/v1/auth``,
its audit trail, readiness of everything, and routing of ``/api/v1/<service>/...``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import structlog
from fastapi import FastAPI

from gateway.api import proxy, routes_auth, routes_clients, routes_keys, routes_ops, routes_users
from gateway.api.errors import install_gateway_handlers
from gateway.api.verifier import GatewayVerifier
from gateway.db.models import RECORDS
from gateway.domain.context import Identity
from gateway.domain.errors import CONSTRAINT_ERRORS
from gateway.domain.keys import ensure_current_key
from gateway.domain.memberships import BATCH_HANDLERS, HANDLERS, FeedToken
from gateway.downstream import make_downstreams
from gateway.settings import GatewaySettings
from kernel.db.session import Database
from kernel.events.consumer import Consumer, Subscription
from kernel.runtime import tune_gc
from kernel.web.app import create_service_app

TITLE = "Anju 安居 · 城市更新指挥平台 API"
DESCRIPTION = (
    "城市更新/棚改指挥平台的统一接口。所有业务接口经网关访问：`/api/v1/<服务>/...`。\n\n"
    "身份认证：用户以 `POST /api/v1/auth/login` 登录，外部系统以 `POST /api/v1/auth/token`（OAuth 2 客户端凭证）"
    "取得访问令牌，之后在请求头携带 `Authorization: Bearer <访问令牌>`。各服务用 `/.well-known/jwks.json` "
    "公布的公钥自行验签；数据按调用者的行政区划（或所属工作专班的项目）划定范围，范围外的记录一律返回 404。\n\n"
    "错误以 RFC 9457 `application/problem+json` 返回，含稳定的 `code` 与中文 `title`"
    "（请求头 `Accept-Language: en` 时为英文）。金额与面积以字符串表示，保留两位小数。"
)
TAGS = [
    {"name": "auth", "description": "登录、刷新令牌、退出登录、外部系统令牌、当前调用者"},
    {"name": "users", "description": "用户管理：手机号一律脱敏，查看完整号码须说明事由并记入审计"},
    {"name": "clients", "description": "外部系统客户端（OAuth 2 客户端凭证）"},
    {"name": "keys", "description": "令牌签名密钥：公布（JWKS）与轮换"},
]

log = structlog.get_logger("gateway")


def own_openapi(app: FastAPI) -> dict[str, Any]:
    """The gateway's own operations only, as the kernel documents them (permissions
    included); the export merges the services' operations into it."""
    generate: Callable[[], dict[str, Any]] = app.state.own_openapi
    return generate()


def create_app(settings: GatewaySettings | None = None, *, database: Database | None = None) -> FastAPI:
    """``database`` lets tests hand in one bound to a test transaction (see ``create_service_app``)."""
    settings = settings or GatewaySettings()
    identity = Identity.from_settings(settings)

    async def load_keys() -> dict[str, Any]:
        db: Database = app.state.db
        async with db.sessionmaker() as session:
            return await identity.keys.jwks(session)

    verifier = GatewayVerifier(audience=settings.service_name, load_keys=load_keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_gc()
        db: Database = app.state.db
        try:
            async with db.sessionmaker() as session, session.begin():
                await ensure_current_key(session, identity.cipher)  # the first start makes the first key
            await verifier.reload()
        except Exception as exc:  # the database may come later: keys load at first use then (/readyz says so)
            log.warning("signing_keys_not_loaded", error=type(exc).__name__)
        await identity.passwords.warm_up()
        app.state.downstreams = make_downstreams(settings)
        stop = asyncio.Event()
        follow, feed_client = _follow_projects(app, db, stop)
        try:
            yield
        finally:
            stop.set()
            if follow is not None:
                follow.cancel()
                await asyncio.gather(follow, return_exceptions=True)
            await feed_client.aclose()
            await asyncio.gather(*(d.aclose() for d in app.state.downstreams.values()))

    def _follow_projects(app: FastAPI, db: Database,
                         stop: asyncio.Event) -> tuple[asyncio.Task[None] | None, httpx.AsyncClient]:
        """Task-force memberships come from the projects feed (``domain.memberships``): one
        consumer, listed with the others for the operational view, run here unless ``consume``
        is off."""
        client = httpx.AsyncClient(timeout=httpx.Timeout(40.0, connect=3.0))
        feed = f"{settings.projects_url.rstrip('/')}/internal/v1/projects/events"
        metrics = app.state.metrics
        consumer = Consumer(db, RECORDS.inbox, Subscription("projects", feed, HANDLERS, BATCH_HANDLERS),
                            tokens=FeedToken(db, identity), client=client, batch=settings.consumer_batch,
                            on_applied=lambda producer, n: metrics.events_applied.labels(
                                settings.service_name, producer).inc(n))
        app.state.consumers.append(consumer)
        return (asyncio.create_task(consumer.run(stop)) if settings.consume else None), client

    app = create_service_app(
        settings,
        title=TITLE,
        description=DESCRIPTION,
        routers=[routes_ops.router, routes_keys.jwks_router, routes_auth.router, routes_users.router,
                 routes_clients.router, routes_keys.router],
        records=RECORDS,
        constraint_errors=CONSTRAINT_ERRORS,
        database=database,
        verifier=verifier,
        tags=TAGS,
        extra_lifespan=lifespan,
        include_health=False,
    )
    app.state.identity = identity
    install_gateway_handlers(app)
    # After the gateway's own routes: everything else under /api/v1/<service>/ is forwarded.
    app.router.routes.append(proxy.route)

    app.state.own_openapi = app.openapi
    served: dict[str, Any] = {}

    def contract() -> dict[str, Any]:
        """The committed contract (services' operations included) when present."""
        if not served:
            path = settings.contract_path
            served.update(json.loads(path.read_text("utf-8")) if path.is_file() else own_openapi(app))
        return served

    app.openapi = contract  # type: ignore[method-assign]
    return app
