"""The gateway's authorization matrix: every role × every operation on one user or
client × a user in the caller's own sub-district, a child community, a sibling
sub-district, the parent district and another district. Expectations are written
by hand (not read from kernel.auth.principal.PERMISSIONS)."""

from __future__ import annotations

import uuid
from collections import Counter
from importlib import import_module
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from kernel.auth.roles import Role
from kernel.web.auth import api_routes
from scripts.components import SERVICES
from tests.support.auth import token

CALLER_REGION = "430903001000"
PLACES = {
    "own": "430903001000",
    "child": "430903001001",
    "sibling": "430903002000",
    "parent": "430903000000",
    "other_district": "430902001000",
}
MAY = {
    "users.read": {"admin", "auditor"},
    "users.write": {"admin"},
    "pii.reveal": {"admin"},
    "clients.write": {"admin"},
}
OPERATIONS = {
    ("GET", "/api/v1/auth/users/{user_id}"): "users.read",
    ("PATCH", "/api/v1/auth/users/{user_id}"): "users.write",
    ("PUT", "/api/v1/auth/users/{user_id}/password"): "users.write",
    ("POST", "/api/v1/auth/users/{user_id}/reveal"): "pii.reveal",
    ("POST", "/api/v1/auth/clients/{client_id}/secret"): "clients.write",
}
NOT_RECORDS = {("GET", "/api/v1/gateway/audit/verify"),
               ("POST", "/api/v1/gateway/events/dead-letters/{dead_letter_id}/replay")}  # ops: admin only


def id_routes(app: FastAPI) -> set[tuple[str, str]]:
    return {(m, r.path_format) for r in api_routes(app) if "{" in r.path_format for m in r.methods}


def test_every_id_route_of_the_gateway_is_in_the_matrix(gateway_app: FastAPI) -> None:
    missing = id_routes(gateway_app) - set(OPERATIONS) - NOT_RECORDS
    assert not missing, f"routes missing from the authorization matrix: {sorted(missing)}"


@pytest.mark.parametrize("service", [c.name for c in SERVICES if c.name != "projects"])
def test_the_other_services_have_no_id_route_outside_a_matrix(service: str) -> None:
    """projects and the gateway have their matrices; a service that gains an id route must get one."""
    component = next(c for c in SERVICES if c.name == service)
    app = import_module(f"{component.module}.app").create_app(
        import_module(f"{component.module}.settings").__dict__[f"{service.capitalize()}Settings"](
            database_url="postgresql://matrix@localhost/none"))
    assert id_routes(app) <= {("GET", f"/api/v1/{service}/audit/verify"),
                              ("POST", f"/api/v1/{service}/events/dead-letters/{{dead_letter_id}}/replay")}


def expected(role: str, permission: str, place: str | None) -> int:
    if role not in MAY[permission]:
        return 403
    if place is None:  # clients are not regional records
        return 200
    return 200 if place in {"own", "child"} else 404


async def test_matrix(gw: httpx.AsyncClient, gateway_app: FastAPI, gdb) -> None:
    async with gdb.sessionmaker() as session:
        key = await gateway_app.state.identity.keys.signing_key(session)
    top = {"Authorization": f"Bearer {token('admin', region='430000000000', key=key, audience=['gateway'])}"}
    users = {}
    for place, region in PLACES.items():
        r = await gw.post("/api/v1/auth/users", headers=top, json={
            "username": f"matrix.{place}", "display_name": f"矩阵{place}", "phone": "13807370001",
            "roles": ["field_worker"], "region_code": region})
        assert r.status_code == 201, r.text
        users[place] = r.json()["id"]
    client = await gw.post("/api/v1/auth/clients", headers=top, json={
        "client_id": "matrix-client", "name": "矩阵测试系统", "scopes": ["projects:read"]})
    assert client.status_code == 201, client.text

    outcomes: Counter[str] = Counter()
    surprises = []
    for role in Role:
        caller = {"Authorization": "Bearer " + token(
            role.value, region=CALLER_REGION, key=key, audience=["gateway"],
            kind="client" if role is Role.integration else "user", scopes=["projects:read"])}
        for (method, path), permission in OPERATIONS.items():
            targets: list[tuple[str | None, str]] = (
                [(None, "matrix-client")] if "{client_id}" in path else list(users.items()))
            for where, ident in targets:
                url = path.replace("{user_id}", ident).replace("{client_id}", ident)
                headers = dict(caller)
                if method in ("PATCH", "PUT"):
                    headers["If-Match"] = (await gw.get(url.removesuffix("/password"), headers=top)).headers["etag"]
                body = {
                    "PATCH": {"display_name": f"{role.value}改"},
                    "PUT": {"password": "Matrix#2026pw"},
                    "POST": {"purpose": "权限矩阵测试", "fields": ["phone"]} if "reveal" in path else None,
                    "GET": None,
                }[method]
                r = await gw.request(method, url, headers=headers, json=body)
                want, got = expected(role.value, permission, where), r.status_code
                if want != got:
                    kind = "unexpected allow" if got < 400 <= want else "unexpected deny"
                    surprises.append((kind, role.value, method, path, where, want, got, r.text[:120]))
                outcomes["allow" if got < 400 else "deny"] += 1
    assert outcomes["allow"] > 0
    assert outcomes["deny"] > 0
    assert surprises == [], f"{len(surprises)} surprises, e.g. {surprises[:5]}"


# --- admin versus admin: grants outside the granter's scope, self-escalation ------------------------


async def test_admin_versus_admin(gw: httpx.AsyncClient, gateway_app: FastAPI, gdb, sql) -> None:
    """An administrator of the sub-district CALLER_REGION against every place: granting
    ``admin``, granting projects, changing its own grants, managing a peer administrator."""
    async with gdb.sessionmaker() as session:
        key = await gateway_app.state.identity.keys.signing_key(session)
    top = {"Authorization": f"Bearer {token('admin', region='430000000000', key=key, audience=['gateway'])}"}
    projects = {}
    for place, region in PLACES.items():
        projects[place] = str(uuid.uuid4())
        await sql("INSERT INTO gateway.project_ref (id, code, name, type, region_code, stage, version) "
                  "VALUES (:id, :code, :name, 'shantytown', :region, 'survey', 1)",
                  id=projects[place], code=f"MX-{place}", name=f"矩阵项目{place}", region=region)

    async def account(username: str, roles: list[str], region: str) -> dict[str, Any]:
        r = await gw.post("/api/v1/auth/users", headers=top, json={
            "username": username, "display_name": username, "roles": roles, "region_code": region})
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    me = await account("matrix.self", ["admin"], CALLER_REGION)
    peer = await account("matrix.peer", ["admin"], CALLER_REGION)
    below = await account("matrix.below", ["admin"], PLACES["child"])
    worker = await account("matrix.worker", ["field_worker"], CALLER_REGION)
    caller = {"Authorization": "Bearer " + token("admin", region=CALLER_REGION, subject=f"user:{me['id']}",
                                                 key=key, audience=["gateway"])}
    inside = {"own", "child"}
    cases: list[tuple[str, str, str, dict[str, Any] | None, bool]] = []  # (what, method, url, body, allowed)
    for place, region in PLACES.items():
        cases.append((f"create admin at {place}", "POST", "/api/v1/auth/users", {
            "username": f"mx.admin.{place}", "display_name": "管理员", "roles": ["admin"], "region_code": region},
            place == "child"))
        cases.append((f"create with a project at {place}", "POST", "/api/v1/auth/users", {
            "username": f"mx.worker.{place}", "display_name": "人员", "roles": ["field_worker"],
            "region_code": CALLER_REGION, "project_ids": [projects[place]]}, place in inside))
        cases.append((f"grant the worker a project at {place}", "PATCH", f"/api/v1/auth/users/{worker['id']}",
                      {"project_ids": [projects[place]]}, place in inside))
    own = f"/api/v1/auth/users/{me['id']}"
    cases += [
        ("own roles", "PATCH", own, {"roles": ["admin", "taskforce_member"]}, False),
        ("own projects", "PATCH", own, {"project_ids": [projects["own"]]}, False),
        ("own projects elsewhere", "PATCH", own, {"project_ids": [projects["other_district"]]}, False),
        ("own region up", "PATCH", own, {"region_code": PLACES["parent"]}, False),
        ("own region down", "PATCH", own, {"region_code": PLACES["child"]}, False),
        ("own name", "PATCH", own, {"display_name": "本人改名"}, True),
        ("promote the worker", "PATCH", f"/api/v1/auth/users/{worker['id']}", {"roles": ["admin"]}, False),
        ("peer's name", "PATCH", f"/api/v1/auth/users/{peer['id']}", {"display_name": "同级"}, False),
        ("peer's roles", "PATCH", f"/api/v1/auth/users/{peer['id']}", {"roles": ["field_worker"]}, False),
        ("peer's password", "PUT", f"/api/v1/auth/users/{peer['id']}/password", {"password": "Takeover#2026"},
         False),
        ("lower admin's name", "PATCH", f"/api/v1/auth/users/{below['id']}", {"display_name": "下级"}, True),
        ("lower admin's password", "PUT", f"/api/v1/auth/users/{below['id']}/password",
         {"password": "Lower#2026pw"}, True),
    ]
    surprises = []
    allows = 0
    for what, method, url, body, allowed in cases:
        headers = dict(caller)
        if method in ("PATCH", "PUT"):
            headers["If-Match"] = (await gw.get(url.removesuffix("/password"), headers=top)).headers["etag"]
        r = await gw.request(method, url, headers=headers, json=body)
        got = r.status_code < 400
        allows += got
        if got != allowed:
            surprises.append(("unexpected allow" if got else "unexpected deny", what, r.status_code, r.text[:120]))
        elif not got:
            assert r.status_code in (403, 404), (what, r.text)
    assert allows > 0
    assert surprises == [], f"{len(surprises)} surprises: {surprises}"
