"""Refresh tokens rotate on every use; a replayed one ends the whole session."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.identity.rules import token_hash
from tests.gateway.conftest import Headers, Login

REFRESH = "/api/v1/auth/refresh"


async def _refresh(gw: httpx.AsyncClient, token: str) -> httpx.Response:
    return await gw.post(REFRESH, json={"refresh_token": token})


async def test_refresh_rotates_the_pair(gw: httpx.AsyncClient, login: Login, sql: Any) -> None:
    first = await login("heshan.housing_officer")
    r = await _refresh(gw, first["refresh_token"])
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["user"]["username"] == "heshan.housing_officer"
    # The new access token works on the gateway's own routes.
    me = await gw.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {second['access_token']}"})
    assert me.status_code == 200
    # Only hashes are stored; both tokens are in one family, the first marked used.
    rows = await sql("SELECT token_hash, family_id, used_at FROM gateway.refresh_token "
                     "WHERE token_hash IN (:a, :b)", a=token_hash(first["refresh_token"]),
                     b=token_hash(second["refresh_token"]))
    by_hash = {row["token_hash"]: row for row in rows}
    assert len(by_hash) == 2
    assert by_hash[token_hash(first["refresh_token"])]["used_at"] is not None
    assert by_hash[token_hash(second["refresh_token"])]["used_at"] is None
    assert len({row["family_id"] for row in rows}) == 1
    stored = await sql("SELECT count(*) AS n FROM gateway.refresh_token WHERE token_hash = :t",
                       t=first["refresh_token"])
    assert stored[0]["n"] == 0


async def test_reuse_revokes_the_whole_family_and_is_audited(gw: httpx.AsyncClient, login: Login,
                                                             as_user: Headers) -> None:
    first = await login("yiyang.housing_officer")
    other_session = await login("yiyang.housing_officer")  # another device: another family
    second = (await _refresh(gw, first["refresh_token"])).json()
    third = (await _refresh(gw, second["refresh_token"])).json()

    replay = await _refresh(gw, first["refresh_token"])  # a thief replays the first token
    assert replay.status_code == 401
    assert replay.json()["code"] == "auth.refresh_reused"
    assert replay.headers["content-type"] == "application/problem+json"
    # Every token of the family is dead now, the newest included ...
    for token in (second["refresh_token"], third["refresh_token"]):
        r = await _refresh(gw, token)
        assert r.status_code == 401
        assert r.json()["code"] == "auth.refresh_invalid"
    # ... and the other device's session is untouched.
    assert (await _refresh(gw, other_session["refresh_token"])).status_code == 200

    audit = await gw.get("/api/v1/gateway/audit", params={"action": "session.revoke_reused"},
                         headers=await as_user("yiyang.auditor"))
    assert audit.status_code == 200, audit.text
    [entry] = audit.json()["items"]
    assert entry["entity_type"] == "user"
    assert entry["entity_id"] == first["user"]["id"]
    assert entry["actor"] == "system:gateway"
    assert entry["after"]["tokens_revoked"] == 3  # every token of the family
    assert first["refresh_token"] not in audit.text


async def test_logout_ends_the_session(gw: httpx.AsyncClient, login: Login) -> None:
    pair = await login("heshan.auditor")
    successor = (await _refresh(gw, pair["refresh_token"])).json()
    r = await gw.post("/api/v1/auth/logout", json={"refresh_token": successor["refresh_token"]})
    assert r.status_code == 204
    after = await _refresh(gw, successor["refresh_token"])
    assert after.status_code == 401
    assert after.json()["code"] == "auth.refresh_invalid"
    # Logging out twice, or with a token nobody issued, is not an error.
    assert (await gw.post("/api/v1/auth/logout", json={"refresh_token": successor["refresh_token"]})).status_code == 204
    assert (await gw.post("/api/v1/auth/logout", json={"refresh_token": "anjurt_nonsense"})).status_code == 204


async def test_unknown_and_expired_refresh_tokens_are_refused(gw: httpx.AsyncClient, login: Login,
                                                              sql: Any) -> None:
    unknown = await _refresh(gw, "anjurt_" + "x" * 43)
    assert unknown.status_code == 401
    assert unknown.json()["code"] == "auth.refresh_invalid"
    assert unknown.json()["title"] == "登录已失效，请重新登录"

    pair = await login("heshan.finance_officer")
    await sql("UPDATE gateway.refresh_token SET expires_at = now() - interval '1 second' WHERE token_hash = :h",
              h=token_hash(pair["refresh_token"]))
    expired = await _refresh(gw, pair["refresh_token"])
    assert expired.status_code == 401
    assert expired.json()["code"] == "auth.refresh_invalid"


async def test_a_disabled_user_cannot_refresh(gw: httpx.AsyncClient, login: Login, as_user: Headers) -> None:
    pair = await login("taohualun.field_worker")
    admin = await as_user("taohualun.admin")
    user = pair["user"]
    r = await gw.patch(f"/api/v1/auth/users/{user['id']}", json={"active": False},
                       headers={**admin, "If-Match": f'"{user["version"]}"'})
    assert r.status_code == 200, r.text
    refused = await _refresh(gw, pair["refresh_token"])
    assert refused.status_code == 401
    assert refused.json()["code"] == "auth.refresh_invalid"
