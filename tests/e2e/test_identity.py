"""Identity across real processes: the gateway issues tokens, the projects
service verifies them with the keys the gateway publishes, and a key rotation
needs no downtime."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from gateway.demo import DEMO_CLIENT_SECRET, demo_project_id
from kernel.web.auth import TokenVerifier
from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

PROJECTS = "/api/v1/projects/projects"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def test_services_refuse_calls_without_a_token(stack: dict[str, str]) -> None:
    for base in (stack["projects"], stack["gateway"]):
        r = httpx.get(f"{base}{PROJECTS}")
        assert r.status_code == 401
        assert r.json()["code"] == "auth.unauthenticated"


def test_rotation_needs_no_downtime(stack: dict[str, str], admin_headers: dict[str, str]) -> None:
    gateway, projects = stack["gateway"], stack["projects"]
    token_a = sign_in(gateway, "heshan.district_commander")
    # The projects service meets the gateway's keys (it fetches the JWKS on first use).
    assert httpx.get(f"{projects}{PROJECTS}", headers=bearer(token_a)).status_code == 200

    rotated = httpx.post(f"{gateway}/api/v1/auth/keys/rotate", headers=admin_headers)
    assert rotated.status_code == 200, rotated.text
    current = next(k["kid"] for k in rotated.json()["items"] if k["state"] == "current")
    assert current != kid(token_a)

    token_b = sign_in(gateway, "heshan.district_commander")
    assert kid(token_b) == current
    # Both work at once, against the service directly and through the gateway.
    for token in (token_a, token_b):
        direct = httpx.get(f"{projects}{PROJECTS}", headers=bearer(token))
        assert direct.status_code == 200, direct.text
        via = httpx.get(f"{gateway}{PROJECTS}", headers=bearer(token))
        assert via.status_code == 200, via.text
        me = httpx.get(f"{gateway}/api/v1/auth/me", headers=bearer(token))
        assert me.status_code == 200, me.text

    # A second rotation signs with a key the service has never seen: it refetches the JWKS
    # (services refetch at most every refetch_interval_s, so wait that long first) and
    # still accepts the tokens of both earlier keys.
    rotated = httpx.post(f"{gateway}/api/v1/auth/keys/rotate", headers=admin_headers)
    assert rotated.status_code == 200
    token_c = sign_in(gateway, "heshan.district_commander")
    assert len({kid(token_a), kid(token_b), kid(token_c)}) == 3
    time.sleep(TokenVerifier(audience="projects").refetch_interval_s + 0.5)
    for token in (token_a, token_b, token_c):
        r = httpx.get(f"{projects}{PROJECTS}", headers=bearer(token))
        assert r.status_code == 200, (kid(token), r.text)


def _codes(gateway: str, username: str) -> set[str]:
    r = httpx.get(f"{gateway}{PROJECTS}", headers=bearer(sign_in(gateway, username)), params={"limit": 200})
    assert r.status_code == 200, r.text
    return {p["code"] for p in r.json()["items"]}


def test_scope_follows_the_token(stack: dict[str, str]) -> None:
    gateway = stack["gateway"]
    everything = _codes(gateway, "admin")
    assert len(everything) >= 12  # the demo projects
    street = _codes(gateway, "taohualun.street_officer")
    assert street >= {"YY-PG-2022-003", "YY-DX-2025-001"}
    assert "YY-PG-2023-004" not in street  # 资阳区
    # A task-force member sees the projects of the force: the gateway's demo ids are the
    # projects service's.
    force = httpx.get(f"{gateway}{PROJECTS}", headers=bearer(sign_in(gateway, "taohualun.taskforce_member")))
    assert {(p["code"], p["id"]) for p in force.json()["items"]} == {
        (code, str(demo_project_id(code))) for code in ("YY-PG-2022-003", "YY-DX-2025-001")}
    resident = httpx.get(f"{gateway}{PROJECTS}", headers=bearer(sign_in(gateway, "qichelu.resident1")))
    assert resident.status_code == 403


def test_machine_client_reads_projects_but_writes_nothing(stack: dict[str, str]) -> None:
    gateway = stack["gateway"]
    r = httpx.post(f"{gateway}/api/v1/auth/token", data={
        "grant_type": "client_credentials", "client_id": "municipal-registry", "client_secret": DEMO_CLIENT_SECRET})
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert httpx.get(f"{gateway}{PROJECTS}", headers=bearer(token)).status_code == 200
    assert httpx.get(f"{stack['projects']}/api/v1/projects/regions", headers=bearer(token)).status_code == 200
    write = httpx.post(f"{gateway}/api/v1/projects/regions", headers=bearer(token),
                       json={"code": "430903009000", "name": "不该写入"})
    assert write.status_code == 403
