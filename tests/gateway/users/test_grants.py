"""Grants stay inside the granter's scope (issue 11, item 1): nobody changes their own roles,
region or projects; an administrator grants ``admin`` only for regions strictly inside its
own, regions inside its own and projects inside the account's region (the gateway's project
directory says where a project is); and a token never carries an administrator-set project
outside the user's region, whatever the table holds."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import jwt

from gateway.demo import demo_project_id
from tests.gateway.conftest import Headers, Login

USERS = "/api/v1/auth/users"
STREET = "430903001000"  # 桃花仑街道: taohualun.admin's region
#: The two demo projects inside 桃花仑街道, and four elsewhere.
INSIDE = ("YY-PG-2022-003", "YY-DX-2025-001")
OUTSIDE = ("YY-PG-2023-004", "YY-ZS-2023-002", "YY-PG-2021-001", "YY-CZC-2023-001")


def _projects(tokens: dict[str, Any]) -> set[str]:
    return set(jwt.decode(tokens["access_token"], options={"verify_signature": False})["projects"])


def _ids(*codes: str) -> list[str]:
    return [str(demo_project_id(c)) for c in codes]


async def _me(gw: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = (await gw.get("/api/v1/auth/me", headers=headers)).json()
    return body


async def test_a_street_admin_cannot_give_a_new_user_a_project_of_another_district(
        gw: httpx.AsyncClient, as_user: Headers, sql: Any) -> None:
    admin = await as_user("taohualun.admin")
    r = await gw.post(USERS, headers=admin, json={
        "username": "taohualun.helper", "display_name": "帮手", "roles": ["taskforce_member"],
        "region_code": STREET, "project_ids": _ids("YY-PG-2023-004")})  # 资阳区
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "scope.project_outside"
    assert r.json()["errors"][0]["field"] == "body.project_ids"
    assert not await sql("SELECT 1 FROM gateway.app_user WHERE username = 'taohualun.helper'")
    # Inside its street: granted.
    ok = await gw.post(USERS, headers=admin, json={
        "username": "taohualun.helper", "display_name": "帮手", "roles": ["taskforce_member"],
        "region_code": STREET, "project_ids": _ids(*INSIDE)})
    assert ok.status_code == 201, ok.text


async def test_a_project_the_gateway_does_not_know_is_refused(gw: httpx.AsyncClient, as_user: Headers) -> None:
    r = await gw.post(USERS, headers=await as_user("heshan.admin"), json={
        "username": "heshan.helper", "display_name": "帮手", "roles": ["field_worker"],
        "region_code": "430903000000", "project_ids": [str(uuid.uuid4())]})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "user.project_unknown"


async def test_nobody_changes_their_own_roles_region_or_projects(gw: httpx.AsyncClient, as_user: Headers,
                                                                 login: Login) -> None:
    admin = await as_user("taohualun.admin")
    me = (await login("taohualun.admin"))["user"]
    url = f"{USERS}/{me['id']}"
    for change in ({"roles": ["admin", "taskforce_member"]},
                   {"roles": ["admin", "taskforce_member"], "project_ids": _ids(*OUTSIDE, *INSIDE)},
                   {"project_ids": _ids(*INSIDE)},
                   {"region_code": "430903000000"}):
        r = await gw.patch(url, json=change, headers={**admin, "If-Match": f'"{me["version"]}"'})
        assert r.status_code == 403, (change, r.text)
        assert r.json()["code"] == "user.self_grant"
        assert r.json()["title"] == "不能修改自己的角色、行政区划或项目"
    # Their own name is theirs to change.
    named = await gw.patch(url, json={"display_name": "陈志强（站长）"},
                           headers={**admin, "If-Match": f'"{me["version"]}"'})
    assert named.status_code == 200, named.text
    after = await login("taohualun.admin")
    assert after["user"]["roles"] == ["admin"]
    assert _projects(after) == set()
    assert (await _me(gw, {"Authorization": f"Bearer {after['access_token']}"}))["project_ids"] == []


async def test_a_regional_admin_grants_admin_only_strictly_below_itself(gw: httpx.AsyncClient,
                                                                       as_user: Headers) -> None:
    street = await as_user("taohualun.admin")
    for region in (STREET, "430903000000"):  # its own region, the district above
        r = await gw.post(USERS, headers=street, json={
            "username": f"admin.{region}", "display_name": "新管理员", "roles": ["admin"], "region_code": region})
        assert r.status_code == 403, (region, r.text)
    own = await gw.post(USERS, headers=street, json={
        "username": "admin.own", "display_name": "新管理员", "roles": ["admin"], "region_code": STREET})
    assert own.json()["code"] == "scope.role_not_grantable"
    community = await gw.post(USERS, headers=street, json={
        "username": "admin.community", "display_name": "社区管理员", "roles": ["admin"],
        "region_code": "430903001002"})
    assert community.status_code == 201, community.text

    # Promoting a user of its own region to admin is granting admin there: refused too.
    officer = (await gw.get(USERS, params={"role": "street_officer", "region_prefix": "430903001"},
                            headers=street)).json()["items"][0]
    r = await gw.patch(f"{USERS}/{officer['id']}", json={"roles": ["admin"]},
                       headers={**street, "If-Match": f'"{officer["version"]}"'})
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "scope.role_not_grantable"
    # The district admin above may.
    r = await gw.patch(f"{USERS}/{officer['id']}", json={"roles": ["admin"]},
                       headers={**await as_user("heshan.admin"), "If-Match": f'"{officer["version"]}"'})
    assert r.status_code == 200, r.text


async def test_an_admin_does_not_manage_an_admin_of_its_own_rank(gw: httpx.AsyncClient, as_user: Headers) -> None:
    """A peer administrator's password or roles are the business of the administrators above."""
    district = await as_user("heshan.admin")
    created = await gw.post(USERS, headers=await as_user("yiyang.admin"), json={
        "username": "heshan.admin2", "display_name": "副管理员", "roles": ["admin"], "region_code": "430903000000"})
    assert created.status_code == 201, created.text
    peer = created.json()
    etag = {"If-Match": f'"{peer["version"]}"'}
    r = await gw.put(f"{USERS}/{peer['id']}/password", json={"password": "Takeover#2026"},
                     headers={**district, **etag})
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "scope.account_not_manageable"
    r = await gw.patch(f"{USERS}/{peer['id']}", json={"active": False}, headers={**district, **etag})
    assert r.status_code == 403, r.text


async def test_moving_a_user_keeps_their_projects_inside_the_new_region(gw: httpx.AsyncClient,
                                                                        as_user: Headers) -> None:
    admin = await as_user("heshan.admin")
    created = (await gw.post(USERS, headers=admin, json={
        "username": "heshan.mover", "display_name": "调动", "roles": ["field_worker"],
        "region_code": STREET, "project_ids": _ids(*INSIDE)})).json()
    r = await gw.patch(f"{USERS}/{created['id']}", json={"region_code": "430903002000"},
                       headers={**admin, "If-Match": f'"{created["version"]}"'})
    assert r.status_code == 403, r.text
    assert r.json()["code"] == "scope.project_outside"


async def test_a_token_leaves_out_projects_outside_the_users_region(gw: httpx.AsyncClient, login: Login,
                                                                    sql: Any) -> None:
    """Whatever the table holds (set before these rules, or by hand), the token keeps only the
    administrator-set projects the directory places inside the user's region."""
    await sql("UPDATE gateway.app_user SET project_ids = CAST(:p AS uuid[]) WHERE username = 'taohualun.admin'",
              p=[*_ids(*OUTSIDE, *INSIDE), str(uuid.uuid4())])
    tokens = await login("taohualun.admin")
    assert _projects(tokens) == set(_ids(*INSIDE))
    assert sorted(tokens["user"]["project_ids"]) == sorted(_ids(*INSIDE))
