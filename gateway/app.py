"""``create_app(settings)``: the gateway, a service of its own (schema ``gateway``), composed
of its slices (``SLICES``): identity (users, machine clients, tokens, signing keys) under
``/api/v1/auth``, the task-force memberships and the project directory it follows from the
projects feed, its audit
trail, readiness of everything, and routing of ``/api/v1/<service>/...``."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI

from gateway import clients, identity, keys, memberships, routing, users
from gateway.clients import errors as clients_errors
from gateway.clients import routes as clients_routes
from gateway.database import RECORDS
from gateway.identity import routes as identity_routes
from gateway.identity.service import FeedToken, Identity
from gateway.keys import routes as keys_routes
from gateway.keys.service import ensure_current_key
from gateway.keys.verifier import GatewayVerifier
from gateway.memberships import service as memberships_service
from gateway.routing import routes as routing_routes
from gateway.routing.downstream import make_downstreams
from gateway.settings import GatewaySettings
from gateway.users import errors as users_errors
from gateway.users import routes as users_routes
from kernel.db.session import Database
from kernel.events.consumer import Subscription
from kernel.runtime import tune_gc
from kernel.web import slices
from kernel.web.app import create_service_app
from kernel.web.slices import Slice

TITLE = "Anju 安居 · 城市更新指挥平台 API"
DESCRIPTION = (
    "城市更新/棚改指挥平台的统一接口。所有业务接口经网关访问：`/api/v1/<服务>/...`。\n\n"
    "身份认证：用户以 `POST /api/v1/auth/login` 登录，外部系统以 `POST /api/v1/auth/token`（OAuth 2 客户端凭证）"
    "取得访问令牌，之后在请求头携带 `Authorization: Bearer <访问令牌>`。各服务用 `/.well-known/jwks.json` "
    "公布的公钥自行验签；数据按调用者的行政区划（或所属工作专班的项目）划定范围，范围外的记录一律返回 404。\n\n"
    "错误以 RFC 9457 `application/problem+json` 返回，含稳定的 `code` 与中文 `title`"
    "（请求头 `Accept-Language: en` 时为英文）。金额与面积以字符串表示，保留两位小数。"
)
#: The slices of the gateway, in the order of routers, tags and event handlers. The health and
#: readiness routes come first; the catch-all forward (``routing_routes.route``) after every route.
SLICES: tuple[Slice, ...] = (
    Slice(routing.__name__, routing_routes.router),
    Slice(identity.__name__, identity_routes.router, "auth", "登录、刷新令牌、退出登录、外部系统令牌、当前调用者"),
    Slice(users.__name__, users_routes.router, "users", "用户管理：手机号一律脱敏，查看完整号码须说明事由并记入审计",
          constraints=users_errors.CONSTRAINTS),
    Slice(clients.__name__, clients_routes.router, "clients", "外部系统客户端（OAuth 2 客户端凭证）",
          constraints=clients_errors.CONSTRAINTS),
    Slice(keys.__name__, keys_routes.router, "keys", "令牌签名密钥：公布（JWKS）与轮换"),
    # Task-force memberships and the project directory follow the projects service's feed
    # (contracts.projects).
    Slice(memberships.__name__, handlers={"projects": memberships_service.HANDLERS},
          batch_handlers={"projects": memberships_service.BATCH_HANDLERS}),
)

#: Every constraint name the gateway knows, from every slice.
CONSTRAINT_ERRORS = slices.constraint_errors(SLICES)

log = structlog.get_logger("gateway")


def own_openapi(app: FastAPI) -> dict[str, Any]:
    """The gateway's own operations only, as the kernel documents them (permissions
    included); the export merges the services' operations into it."""
    generate: Callable[[], dict[str, Any]] = app.state.own_openapi
    return generate()


def create_app(settings: GatewaySettings | None = None, *, database: Database | None = None) -> FastAPI:
    """``database`` lets tests hand in one bound to a test transaction (see ``create_service_app``)."""
    settings = settings or GatewaySettings()
    ident = Identity.from_settings(settings)

    async def load_keys() -> dict[str, Any]:
        db: Database = app.state.db
        async with db.sessionmaker() as session:
            return await ident.keys.jwks(session)

    verifier = GatewayVerifier(audience=settings.service_name, load_keys=load_keys)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        tune_gc()
        db: Database = app.state.db
        try:
            async with db.sessionmaker() as session, session.begin():
                await ensure_current_key(session, ident.cipher)  # the first start makes the first key
            await verifier.reload()
        except Exception as exc:  # the database may come later: keys load at first use then (/readyz says so)
            log.warning("signing_keys_not_loaded", error=type(exc).__name__)
        await ident.passwords.warm_up()
        app.state.downstreams = make_downstreams(settings)
        try:
            yield
        finally:
            await asyncio.gather(*(d.aclose() for d in app.state.downstreams.values()))

    # The gateway reads the projects feed (task-force memberships) with a token it signs for
    # itself: it is the issuer, so it has no client credentials to ask its own token endpoint with.
    feed_urls = {"projects": f"{settings.projects_url.rstrip('/')}/internal/v1/projects/events"}
    app = create_service_app(
        settings,
        title=TITLE,
        description=DESCRIPTION,
        routers=slices.routers(SLICES),
        records=RECORDS,
        constraint_errors=CONSTRAINT_ERRORS,
        database=database,
        verifier=verifier,
        tags=slices.tags(SLICES),
        extra_lifespan=lifespan,
        subscriptions=[Subscription(producer, feed_urls[producer], *slices.handlers_for(SLICES, producer),
                                    tokens=lambda db: FeedToken(db, ident))
                       for producer in slices.producers(SLICES)],
        include_health=False,
    )
    app.state.identity = ident
    identity_routes.install_lockout_handler(app)
    # After the gateway's own routes: everything else under /api/v1/<service>/ is forwarded.
    app.router.routes.append(routing_routes.route)

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
