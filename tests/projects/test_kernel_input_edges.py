"""Issue 11, items 8, 12 and 14, at the HTTP edge through the projects app: input that used to
answer 500 (NUL bytes, huge or malformed cursors), JSON that is cut short, a malformed
Idempotency-Key, HEAD on a GET route. Each answers a clear 4xx problem and writes nothing."""

from __future__ import annotations

import base64
import json
import uuid

import httpx

from kernel.pagination import encode_cursor

PROJECTS = "/api/v1/projects/projects"


def _cursor(values: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def test_truncated_json_is_a_400_malformed_request(projects: httpx.AsyncClient, count) -> None:
    r = await projects.post(PROJECTS, content='{"code": "YY-X-1", "name": "截'.encode(), headers={
        "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 400, r.text
    assert r.json()["code"] == "malformed_request"
    assert await count("projects.project") == 0


async def test_a_nul_byte_in_a_body_field_is_a_422(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    r = await projects.post(PROJECTS, json={
        "code": "YY-NUL-001", "name": "熊\u0000家", "type": "shantytown", "land_path": "state",
        "region_code": regions[0], "stage": "reserve"}, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "body.name"
    assert await count("projects.project") == 0


async def test_a_nul_byte_in_a_filter_is_a_422(projects: httpx.AsyncClient) -> None:
    r = await projects.get("/api/v1/projects/people", params={"name": "熊\u0000"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "query.name"


async def test_malformed_cursors_are_a_422(projects: httpx.AsyncClient) -> None:
    audit = "/api/v1/projects/audit"  # keyed by a bigint id
    for cursor in (_cursor(["99999999999999999999999"]), _cursor(["abc"]), _cursor(["\u0000"]), "%00",
                   encode_cursor(["1", "2"])):
        r = await projects.get(audit, params={"cursor": cursor})
        assert r.status_code == 422, (cursor, r.status_code, r.text)
        assert r.json()["code"] == "pagination.bad_cursor", (cursor, r.text)
    for cursor in (_cursor(["\u0000"]), "%00"):  # the project list is keyed by code (any text but controls)
        r = await projects.get(PROJECTS, params={"cursor": cursor})
        assert r.status_code == 422, (cursor, r.status_code, r.text)


async def test_a_malformed_idempotency_key_is_not_called_reused(projects: httpx.AsyncClient,
                                                                regions: list[str]) -> None:
    body = {"code": "YY-IK-001", "name": "幂等键", "type": "shantytown", "land_path": "state",
            "region_code": regions[0], "stage": "reserve"}
    for key in ("x" * 300, "short", "has space!"):
        r = await projects.post(PROJECTS, json=body, headers={"Idempotency-Key": key})
        assert r.status_code == 422, (key, r.text)
        assert r.json()["code"] == "idempotency.key_malformed", (key, r.text)


async def test_head_on_a_get_route_answers_like_get_without_a_body(projects: httpx.AsyncClient) -> None:
    got = await projects.get(PROJECTS)
    head = await projects.head(PROJECTS)
    assert head.status_code == 200, head.text
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


async def test_a_validly_signed_token_with_malformed_claims_is_a_401(projects: httpx.AsyncClient) -> None:
    from tests.support.auth import bearer

    for claims in ({"projects": ["x"]}, {"household": "not-a-uuid"}, {"region": "4309"}):
        r = await projects.get(PROJECTS, headers=bearer("admin", **claims))
        assert r.status_code == 401, (claims, r.status_code, r.text)
        assert r.json()["code"] == "auth.unauthenticated", (claims, r.text)


async def test_the_docs_load_their_assets_from_the_service_itself(projects: httpx.AsyncClient) -> None:
    """Issue 11, item 13: on an intranet a CDN is out of reach, and /docs was a blank page."""
    page = await projects.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text
    assert "https://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/docs/assets/{asset}" in page.text
        served = await projects.get(f"/docs/assets/{asset}")
        assert served.status_code == 200, asset
        assert len(served.content) > 10_000
