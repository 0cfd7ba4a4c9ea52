"""The gateway in front of real services, over real HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from scripts.components import GATEWAY
from tests.support.processes import black_hole, free_port, running

pytestmark = pytest.mark.e2e


def test_readiness_reports_every_service(stack: dict[str, str]) -> None:
    r = httpx.get(f"{stack['gateway']}/readyz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ready"
    assert body["database"]["status"] == "ready"  # the gateway's own
    assert set(body["services"]) == {"projects", "relocation", "housing", "funding"}
    assert all(s["status"] == "ready" for s in body["services"].values())


def test_projects_through_the_gateway(stack: dict[str, str], admin_headers: dict[str, str]) -> None:
    gw = httpx.Client(base_url=stack["gateway"], headers=admin_headers)
    suffix = uuid.uuid4().hex[:6].upper()
    for code, name in [("430000000000", "湖南省"), ("430900000000", "益阳市"), ("430903000000", "赫山区"),
                       ("430903001000", "桃花仑街道")]:
        r = gw.post("/api/v1/projects/regions", json={"code": code, "name": name})
        assert r.status_code in (201, 409)
    body = {"code": f"E2E-{suffix}", "name": "益阳大道东片区棚户区改造", "type": "shantytown",
            "region_code": "430903001000", "target_investment": "6800000000.00"}
    created = gw.post("/api/v1/projects/projects", json=body, headers={"X-Request-ID": f"e2e-{suffix}"})
    assert created.status_code == 201, created.text
    assert created.headers["x-request-id"] == f"e2e-{suffix}"
    assert created.headers["location"].startswith("/api/v1/projects/projects/")
    pid = created.json()["id"]

    direct = httpx.get(f"{stack['projects']}/api/v1/projects/projects/{pid}", headers=admin_headers)
    via = gw.get(f"/api/v1/projects/projects/{pid}")
    assert via.status_code == 200
    assert via.json() == direct.json()
    assert via.headers["etag"] == '"1"'

    listed = gw.get("/api/v1/projects/projects", params={"region_prefix": "430903001", "type": "shantytown"})
    assert f"E2E-{suffix}" in [p["code"] for p in listed.json()["items"]]

    updated = gw.patch(f"/api/v1/projects/projects/{pid}", json={"zone": "益阳大道东片区"},
                       headers={"If-Match": via.headers["etag"]})
    assert updated.status_code == 200
    assert updated.headers["etag"] == '"2"'
    stale = gw.patch(f"/api/v1/projects/projects/{pid}", json={"zone": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412

    dup = gw.post("/api/v1/projects/projects", json=body)
    assert dup.status_code == 409
    assert dup.headers["content-type"] == "application/problem+json"
    assert dup.json()["title"] == "项目编号已存在"
    too_big = gw.get("/api/v1/projects/projects", params={"limit": 10_000})
    assert too_big.status_code == 422
    assert too_big.json()["code"] == "pagination.limit_out_of_range"


def test_unknown_service_is_a_404_problem(stack: dict[str, str]) -> None:
    r = httpx.get(f"{stack['gateway']}/api/v1/nowhere/things")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == "route_not_found"


def test_a_method_a_path_does_not_serve_is_named_by_the_service(stack: dict[str, str],
                                                                admin_headers: dict[str, str]) -> None:
    """The gateway forwards every method; the service's 405 names what the path serves."""
    for method, path, allow in (("OPTIONS", "/api/v1/projects/projects", "GET, POST"),
                                ("PUT", "/api/v1/projects/tasks/e3e70682-c209-4cac-a29f-6fbed82c07cd", "GET, PATCH")):
        r = httpx.request(method, f"{stack['gateway']}{path}", headers=admin_headers)
        assert r.status_code == 405, (method, path, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert (r.json()["code"], r.headers["allow"]) == ("method_not_allowed", allow)


def test_contract_is_served(stack: dict[str, str]) -> None:
    doc = httpx.get(f"{stack['gateway']}/openapi.json").json()
    assert "/api/v1/projects/projects" in doc["paths"]
    assert doc["paths"]["/api/v1/projects/projects"]["get"]["operationId"] == "projects-list_projects"
    assert httpx.get(f"{stack['gateway']}/docs").status_code == 200


def test_refused_connection_is_503_and_hung_service_is_504(stack: dict[str, str], log_dir: Path,
                                                           e2e_database: str, admin_headers: dict[str, str]) -> None:
    closed = free_port()  # nothing listens here
    with black_hole() as hung:
        env = {
            "GATEWAY_DATABASE_URL": e2e_database,
            "GATEWAY_PROJECTS_URL": stack["projects"],
            "GATEWAY_RELOCATION_URL": f"http://127.0.0.1:{closed}",
            "GATEWAY_HOUSING_URL": f"http://127.0.0.1:{hung}",
            "GATEWAY_FUNDING_URL": stack["funding"],
            "GATEWAY_READ_TIMEOUT_S": "0.5",
            "GATEWAY_READINESS_TIMEOUT_S": "0.5",
        }
        with running(GATEWAY, env, free_port(), log_dir) as gw:
            refused = httpx.get(f"{gw}/api/v1/relocation/anything", headers={"X-Request-ID": "down-1"})
            assert refused.status_code == 503
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == "upstream.unavailable"
            assert refused.json()["request_id"] == "down-1"
            assert refused.headers.get("retry-after") == "1"

            timed_out = httpx.get(f"{gw}/api/v1/housing/anything", timeout=10)
            assert timed_out.status_code == 504
            assert timed_out.json()["code"] == "upstream.timeout"
            assert timed_out.json()["title"] == "下游服务响应超时，请稍后重试"

            ready = httpx.get(f"{gw}/readyz", timeout=10)
            assert ready.status_code == 503
            services = ready.json()["services"]
            assert services["projects"]["status"] == "ready"
            assert services["relocation"]["status"] == "unready"
            assert services["housing"]["status"] == "unready"

            # The rest still routes (a token from the first gateway: both sign with the same keys).
            assert httpx.get(f"{gw}/api/v1/projects/projects", headers=admin_headers).status_code == 200


def test_a_document_of_exactly_the_services_limit_goes_through_the_gateway(
        stack: dict[str, str], admin_headers: dict[str, str]) -> None:
    """The gateway's limit leaves room for the multipart envelope of the largest file a service
    takes (20 MiB, ``PROJECTS_DOCUMENT_MAX_BYTES``); one byte more is the service's own 413."""
    gw = httpx.Client(base_url=stack["gateway"], headers=admin_headers, timeout=60)
    tasks = gw.get("/api/v1/projects/tasks", params={"limit": 1})
    assert tasks.status_code == 200, tasks.text
    task_id = tasks.json()["items"][0]["id"]
    limit = 20 * 1024 * 1024
    at_limit = gw.post(f"/api/v1/projects/tasks/{task_id}/documents",
                       files={"file": ("征收范围图.pdf", b"%" * limit, "application/pdf")})
    assert at_limit.status_code == 201, at_limit.text[:500]
    assert at_limit.json()["size_bytes"] == limit
    over = gw.post(f"/api/v1/projects/tasks/{task_id}/documents",
                   files={"file": ("征收范围图.pdf", b"%" * (limit + 1), "application/pdf")})
    assert over.status_code == 413
    assert (over.json()["code"], over.json()["max_bytes"]) == ("document.too_large", limit)


def test_a_proxied_answer_has_one_date_and_one_server(stack: dict[str, str], admin_headers: dict[str, str]) -> None:
    r = httpx.get(f"{stack['gateway']}/api/v1/projects/projects", params={"limit": 1}, headers=admin_headers)
    assert r.status_code == 200
    assert len(r.headers.get_list("date")) == 1
    assert len(r.headers.get_list("server")) <= 1
    assert "x-anju-route" not in r.headers
