"""Signing in with a password: tokens every service accepts, one answer for every
kind of bad credentials, and the lockout that reveals nothing either."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt

from gateway.demo import DEMO_PASSWORD, demo_project_id
from kernel.web.auth import TokenVerifier
from tests.gateway.conftest import Headers, Login

LOGIN = "/api/v1/auth/login"


async def _login(gw: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await gw.post(LOGIN, json={"username": username, "password": password})


def _comparable(problem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k != "request_id"}


async def test_login_returns_tokens_every_service_accepts(gw: httpx.AsyncClient) -> None:
    r = await _login(gw, "taohualun.taskforce_member", DEMO_PASSWORD)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["refresh_expires_in"] == 30 * 24 * 3600
    user = body["user"]
    assert user["username"] == "taohualun.taskforce_member"
    assert user["display_name"] == "黄志明"
    assert user["phone"] == "139****0010"  # masked
    assert user["role_labels"] == ["工作专班成员"]

    jwks = (await gw.get("/.well-known/jwks.json")).json()
    for audience in ("projects", "relocation", "housing", "funding", "gateway"):
        claims = await TokenVerifier(audience=audience, jwks=jwks).verify(body["access_token"])
        assert claims["sub"] == f"user:{user['id']}"
        assert claims["typ"] == "user"
        assert claims["roles"] == ["taskforce_member"]
        assert claims["region"] == "430903001000"
        assert set(claims["projects"]) == {str(demo_project_id("YY-PG-2022-003")),
                                           str(demo_project_id("YY-DX-2025-001"))}
        assert claims["exp"] - claims["iat"] == 15 * 60
    assert jwt.get_unverified_header(body["access_token"])["alg"] == "EdDSA"


async def test_usernames_are_case_insensitive(gw: httpx.AsyncClient) -> None:
    r = await _login(gw, "  HeShan.ADMIN ", DEMO_PASSWORD)
    assert r.status_code == 200
    assert r.json()["user"]["username"] == "heshan.admin"


async def test_wrong_password_and_unknown_user_get_the_same_answer(gw: httpx.AsyncClient) -> None:
    wrong = await _login(gw, "heshan.admin", "Wrong@2026")
    unknown = await _login(gw, "no.such.user", "Wrong@2026")
    malformed = await _login(gw, "王建国", "Wrong@2026")
    for r in (wrong, unknown, malformed):
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"].startswith("Bearer")
    assert _comparable(wrong.json()) == _comparable(unknown.json()) == _comparable(malformed.json())
    assert wrong.json()["code"] == "auth.invalid_credentials"
    assert wrong.json()["title"] == "用户名或密码错误"


async def test_unknown_users_take_as_long_as_known_ones(gw: httpx.AsyncClient) -> None:
    """Both verify an Argon2id hash with the same parameters (a dummy one for unknown users)."""
    await _login(gw, "nobody.warmup", "x")  # the dummy hash is made once

    async def timed(username: str) -> float:
        start = time.perf_counter()
        assert (await _login(gw, username, "Wrong@2026")).status_code == 401
        return time.perf_counter() - start

    known = min([await timed("yiyang.admin") for _ in range(3)])
    unknown = min([await timed(f"ghost.{i}") for i in range(3)])
    assert 1 / 3 < unknown / known < 3, (known, unknown)
    assert known > 0.01  # a slow hash, not a string comparison


async def test_disabled_or_passwordless_users_get_the_same_answer(gw: httpx.AsyncClient, as_user: Headers) -> None:
    admin = await as_user("admin")
    user = (await gw.get("/api/v1/auth/users", params={"region_prefix": "430903001"}, headers=admin)).json()
    officer = next(u for u in user["items"] if u["username"] == "taohualun.street_officer")
    r = await gw.patch(f"/api/v1/auth/users/{officer['id']}", json={"active": False},
                       headers={**admin, "If-Match": f'"{officer["version"]}"'})
    assert r.status_code == 200
    disabled = await _login(gw, "taohualun.street_officer", DEMO_PASSWORD)
    assert disabled.status_code == 401
    assert disabled.json()["code"] == "auth.invalid_credentials"

    created = await gw.post("/api/v1/auth/users", headers=admin, json={
        "username": "new.officer", "display_name": "新同事", "roles": ["street_officer"],
        "region_code": "430903001000"})
    assert created.status_code == 201
    assert created.json()["has_password"] is False
    nopass = await _login(gw, "new.officer", DEMO_PASSWORD)
    assert nopass.status_code == 401
    assert _comparable(nopass.json()) == _comparable(disabled.json())


async def test_five_failures_lock_the_username_even_for_the_right_password(gw: httpx.AsyncClient) -> None:
    for _ in range(5):
        r = await _login(gw, "heshan.field_worker", "Wrong@2026")
        assert r.status_code == 401
    locked = await _login(gw, "heshan.field_worker", DEMO_PASSWORD)
    assert locked.status_code == 429
    assert locked.headers["content-type"] == "application/problem+json"
    assert locked.json()["code"] == "auth.locked"
    assert locked.json()["title"] == "登录失败次数过多，请稍后再试"
    assert 0 < int(locked.headers["retry-after"]) <= 15 * 60
    # Only that username: another one signs in as usual.
    assert (await _login(gw, "taohualun.field_worker", DEMO_PASSWORD)).status_code == 200
    # The same name spelled differently is the same username.
    assert (await _login(gw, "HESHAN.FIELD_WORKER", DEMO_PASSWORD)).status_code == 429


async def test_unknown_usernames_lock_out_the_same_way(gw: httpx.AsyncClient) -> None:
    known, unknown = "heshan.finance_officer", f"ghost.{uuid.uuid4().hex[:8]}"
    answers: dict[str, list[tuple[int, str]]] = {known: [], unknown: []}
    for name in (known, unknown):
        for _ in range(6):
            r = await _login(gw, name, "Wrong@2026")
            answers[name].append((r.status_code, r.json()["code"]))
    assert answers[known] == answers[unknown]
    assert answers[known] == [(401, "auth.invalid_credentials")] * 5 + [(429, "auth.locked")]


async def test_failures_are_counted_by_a_keyed_hash_not_the_name(gw: httpx.AsyncClient, sql: Any) -> None:
    await _login(gw, "yiyang.housing_officer", "Wrong@2026")
    rows = await sql("SELECT username_key, client_ip FROM gateway.login_failure")
    assert rows
    assert all("yiyang" not in r["username_key"] and len(r["username_key"]) == 64 for r in rows)
    assert {r["client_ip"] for r in rows} == {"203.0.113.7"}


async def test_failures_older_than_the_window_do_not_lock(gw: httpx.AsyncClient, sql: Any) -> None:
    for _ in range(4):
        assert (await _login(gw, "yiyang.finance_officer", "Wrong@2026")).status_code == 401
    await sql("UPDATE gateway.login_failure SET occurred_at = occurred_at - interval '16 minutes'")
    assert (await _login(gw, "yiyang.finance_officer", "Wrong@2026")).status_code == 401
    # Four old ones and one recent: not locked.
    assert (await _login(gw, "yiyang.finance_officer", DEMO_PASSWORD)).status_code == 200


async def test_a_success_does_not_wipe_earlier_failures(gw: httpx.AsyncClient) -> None:
    for _ in range(4):
        assert (await _login(gw, "yiyang.auditor", "Wrong@2026")).status_code == 401
    assert (await _login(gw, "yiyang.auditor", DEMO_PASSWORD)).status_code == 200
    assert (await _login(gw, "yiyang.auditor", "Wrong@2026")).status_code == 401
    assert (await _login(gw, "yiyang.auditor", DEMO_PASSWORD)).status_code == 429


async def test_bad_input_is_422_not_401(gw: httpx.AsyncClient) -> None:
    r = await gw.post(LOGIN, json={"username": "admin"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.password"


async def test_me_is_the_callers_principal(gw: httpx.AsyncClient, as_user: Headers, login: Login) -> None:
    r = await gw.get("/api/v1/auth/me", headers=await as_user("heshan.district_commander"))
    assert r.status_code == 200
    me = r.json()
    assert me["kind"] == "user"
    assert me["name"] == "赵立新"
    assert me["roles"] == ["district_commander"]
    assert me["role_labels"] == ["区指挥部"]
    assert me["region_code"] == "430903000000"
    assert (await gw.get("/api/v1/auth/me")).status_code == 401
    assert (await gw.get("/api/v1/auth/me", headers={"Authorization": "Bearer nope"})).status_code == 401


async def test_the_login_answer_lists_the_projects_the_token_carries(gw: httpx.AsyncClient, sql: Any) -> None:
    """Task-force projects (from memberships) included: the answer, the token and /auth/me agree."""
    joined = demo_project_id("YY-PG-2022-003")
    await sql("INSERT INTO gateway.taskforce_membership (member_id, username, project_id, current, version) "
              "VALUES (:m, 'taohualun.field_worker', :p, true, 1)", m=uuid.uuid4(), p=joined)
    r = await _login(gw, "taohualun.field_worker", DEMO_PASSWORD)
    assert r.status_code == 200, r.text
    body = r.json()
    token = set(jwt.decode(body["access_token"], options={"verify_signature": False})["projects"])
    me = (await gw.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})).json()
    assert token == {str(joined)}
    assert set(me["project_ids"]) == token
    assert set(body["user"]["project_ids"]) == token
