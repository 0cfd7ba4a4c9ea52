"""Every service verifies tokens itself: signature, expiry, issuer, audience."""

from __future__ import annotations

import datetime as dt

import httpx
import jwt

from kernel.auth.tokens import SigningKey
from tests.support.auth import token

LIST = "/api/v1/projects/projects"


async def _get(projects: httpx.AsyncClient, auth: str | None) -> httpx.Response:
    headers = {"Authorization": auth} if auth is not None else {}
    projects.headers.pop("Authorization", None)
    return await projects.get(LIST, headers=headers)


async def test_no_token_is_401_problem(projects: httpx.AsyncClient) -> None:
    r = await _get(projects, None)
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert r.json()["code"] == "auth.unauthenticated"
    assert r.json()["title"] == "未登录或登录已过期"


async def test_bad_tokens_are_401(projects: httpx.AsyncClient) -> None:
    other_key = SigningKey.generate("test-key")  # same kid, different key: signature fails
    bad = [
        "Basic dXNlcjpwYXNz",
        "Bearer ",
        "Bearer not-a-jwt",
        f"Bearer {token('admin', ttl=dt.timedelta(minutes=-5))}",        # expired (past the leeway)
        f"Bearer {token('admin', audience=['funding'])}",                 # meant for another service
        f"Bearer {token('admin', key=other_key)}",                        # forged signature
        f"Bearer {token('admin', key=SigningKey.generate('unknown'))}",   # unknown key id
        "Bearer " + jwt.encode({"sub": "x", "aud": "projects", "iss": "anju-gateway", "exp": 9999999999,
                                "iat": 0, "typ": "user"}, "s" * 32, algorithm="HS256",
                               headers={"kid": "test-key"}),            # symmetric algorithm refused
    ]
    for auth in bad:
        r = await _get(projects, auth)
        assert r.status_code == 401, auth
        assert r.json()["code"] == "auth.unauthenticated"


async def test_role_without_permission_is_403(projects: httpx.AsyncClient) -> None:
    r = await _get(projects, f"Bearer {token('resident', region='430903001002')}")
    assert r.status_code == 403
    assert r.json()["code"] == "auth.forbidden"


async def test_machine_client_needs_the_scope(projects: httpx.AsyncClient) -> None:
    without = token("integration", kind="client", scopes=["regions:read"])
    assert (await _get(projects, f"Bearer {without}")).status_code == 403
    with_scope = token("integration", kind="client", scopes=["projects:read"], region="430900000000")
    assert (await _get(projects, f"Bearer {with_scope}")).status_code == 200


async def test_each_route_documents_its_permission(projects_app) -> None:
    doc = projects_app.openapi()
    op = doc["paths"]["/api/v1/projects/projects"]["post"]
    assert op["x-permission"] == "projects.write"
    assert op["x-roles"] == ["admin", "city_commander", "district_commander"]
    assert "权限：`projects.write`" in op["description"]
    assert "401" in op["responses"]
    assert "403" in op["responses"]


async def test_event_operations_are_for_admins(projects: httpx.AsyncClient) -> None:
    for role in ("city_commander", "auditor", "field_worker"):
        r = await projects.get("/api/v1/projects/events/consumers", headers={"Authorization": f"Bearer {token(role)}"})
        assert r.status_code == 403, role
        r = await projects.post("/api/v1/projects/events/dead-letters/1/replay",
                                headers={"Authorization": f"Bearer {token(role)}"})
        assert r.status_code == 403, role
    assert (await projects.get("/api/v1/projects/events/consumers")).json() == []  # projects follows no feed
    missing = await projects.post("/api/v1/projects/events/dead-letters/999999/replay")
    assert missing.status_code == 404
