"""Token verification in every service, and the dependencies routes use.

Tokens are verified here, in the service, from the gateway's published keys
(JWKS): signature, expiry, issuer, audience (the service's own name). An
unknown ``kid`` triggers one refetch (rate-limited), so keys rotate with no
downtime: the gateway publishes a new key before signing with it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Annotated, Any

import httpx
import jwt
import structlog
from fastapi import Depends, FastAPI, Request
from fastapi.routing import APIRoute, iter_route_contexts

from kernel.auth import permissions
from kernel.auth.principal import ISSUER, SYSTEM, Forbidden, Principal, Unauthenticated, principal_from_claims
from kernel.web.problems import problem_responses

log = structlog.get_logger("kernel.auth.principal")
ALGORITHMS = ["EdDSA", "ES256"]


class TokenVerifier:
    def __init__(self, *, audience: str, jwks_url: str | None = None, jwks: dict[str, Any] | None = None,
                 issuer: str = ISSUER, leeway_s: float = 30.0, refetch_interval_s: float = 5.0,
                 client: httpx.AsyncClient | None = None) -> None:
        self.audience = audience
        self.issuer = issuer
        self.jwks_url = jwks_url
        self.leeway_s = leeway_s
        self.refetch_interval_s = refetch_interval_s
        self._client = client
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        # Verified tokens, by their exact text: a client reuses its token for up to its
        # lifetime, so the signature is checked once; expiry is still checked every time.
        self._verified: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.cache_size = 10_000
        if jwks is not None:
            self.load(jwks)

    def load(self, jwks: dict[str, Any]) -> None:
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in jwks.get("keys", []):
            try:
                keys[str(jwk["kid"])] = jwt.PyJWK(jwk)
            except (KeyError, jwt.PyJWKError) as exc:
                log.warning("jwks_key_skipped", error=type(exc).__name__)
        self._keys = keys

    async def _refetch(self) -> None:
        if self.jwks_url is None or self._client is None:
            return
        async with self._lock:
            if time.monotonic() - self._fetched_at < self.refetch_interval_s:
                return
            self._fetched_at = time.monotonic()
            try:
                resp = await self._client.get(self.jwks_url, timeout=3.0)
                resp.raise_for_status()
                self.load(resp.json())
            except (httpx.HTTPError, json.JSONDecodeError, ValueError) as exc:
                log.warning("jwks_fetch_failed", url=self.jwks_url, error=type(exc).__name__)

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        key = self._keys.get(kid)
        if key is None:
            await self._refetch()
            key = self._keys.get(kid)
        return key

    async def verify(self, token: str) -> dict[str, Any]:
        cached = self._verified.get(token)
        if cached is not None:
            if cached["exp"] + self.leeway_s > time.time():
                self._verified.move_to_end(token)
                return cached
            del self._verified[token]
            raise Unauthenticated("token expired")
        claims = await self._verify_signature(token)
        self._verified[token] = claims
        if len(self._verified) > self.cache_size:
            self._verified.popitem(last=False)
        return claims

    async def _verify_signature(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("malformed token") from exc
        kid, alg = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or alg not in ALGORITHMS:
            raise Unauthenticated("token header not acceptable")
        key = await self.key_for(kid)
        if key is None:
            raise Unauthenticated("token signed with an unknown key")
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key=key, algorithms=[alg], audience=self.audience, issuer=self.issuer,
                leeway=self.leeway_s, options={"require": ["exp", "iat", "sub", "aud", "iss"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("token not valid for this service") from exc
        if claims.get("typ") not in ("user", "client"):
            raise Unauthenticated("not an access token")
        return claims


async def authenticate(request: Request) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 without a valid one."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    settings = request.app.state.settings
    if getattr(settings, "auth_mode", "verify") == "off":
        principal = SYSTEM
    else:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated()
        verifier: TokenVerifier = request.app.state.verifier
        principal = principal_from_claims(await verifier.verify(token.strip()))
    request.state.principal = principal
    return principal


class Authorize:
    """``Annotated[Principal, Depends(Authorize("projects.write"))]``: the caller, who must
    hold a role with the permission (403 otherwise). The route's docs name the permission."""

    def __init__(self, permission: str) -> None:
        if not permissions.known(permission):
            raise KeyError(f"unknown permission {permission!r}")
        self.permission = permission

    async def __call__(self, principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if not principal.may(self.permission):
            raise Forbidden()
        return principal


def api_routes(app: FastAPI) -> Iterator[Any]:
    """Every API route of the app, as the OpenAPI generator sees it (FastAPI includes
    routers lazily, so ``app.routes`` alone does not list them)."""
    for ctx in iter_route_contexts(app.routes):
        if isinstance(ctx.original_route, APIRoute):
            yield ctx


def permission_of(route: Any) -> str | None:
    """The permission a route requires (found in its dependency tree)."""
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Authorize):
            return dep.call.permission
        stack.extend(dep.dependencies)
    return None


def with_permissions(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Write each route's permission and roles into its operation, from the one table."""
    problem = problem_responses(401, 403)
    for route in api_routes(app):
        permission = permission_of(route)
        if permission is None or not route.include_in_schema:
            continue
        roles = sorted(r.value for r in permissions.roles_holding(permission))
        note = f"权限：`{permission}`（{'、'.join(roles)}）"
        for method in route.methods:
            op = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if op is None:
                continue
            op["x-permission"] = permission
            op["x-roles"] = roles
            op["description"] = f"{op['description']}\n\n{note}" if op.get("description") else note
            for status in (401, 403):
                op["responses"].setdefault(str(status), {
                    "description": problem[status]["description"],
                    "content": problem[status]["content"],
                })
    return schema


def with_malformed_bodies(schema: dict[str, Any]) -> dict[str, Any]:
    """Document 400 (``malformed_request``: a body that cannot be decoded or parsed) on every
    operation that takes a body."""
    problem = problem_responses(400)[400]
    for item in schema.get("paths", {}).values():
        for op in item.values():
            if isinstance(op, dict) and "requestBody" in op:
                op["responses"].setdefault("400", {"description": problem["description"],
                                                   "content": problem["content"]})
    return schema


def document_permissions(app: FastAPI) -> None:
    """Make ``app.openapi()`` carry the permission of every route (and the 400 of every body)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_malformed_bodies(with_permissions(app, generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
