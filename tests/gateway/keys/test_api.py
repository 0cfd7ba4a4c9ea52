"""Signing keys: the published set and rotation without downtime."""

from __future__ import annotations

from typing import Any

import httpx
import jwt

from kernel.web.auth import TokenVerifier
from tests.gateway.conftest import Headers, Login

JWKS = "/.well-known/jwks.json"


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_jwks_publishes_the_current_and_the_next_key_public_parts_only(
        gw: httpx.AsyncClient, login: Login, as_user: Headers) -> None:
    r = await gw.get(JWKS)
    assert r.status_code == 200
    keys = r.json()["keys"]
    assert len(keys) == 2
    for key in keys:
        assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}  # no private part ("d")
        assert (key["kty"], key["crv"], key["alg"], key["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    states = {k["kid"]: k["state"] for k in
              (await gw.get("/api/v1/auth/keys", headers=await as_user("admin"))).json()["items"]}
    assert sorted(states[k["kid"]] for k in keys) == ["current", "next"]
    token = (await login("yiyang.city_commander"))["access_token"]
    assert states[kid_of(token)] == "current"


async def test_rotation_keeps_old_tokens_valid_and_signs_new_ones_with_the_new_key(
        gw: httpx.AsyncClient, login: Login, as_user: Headers) -> None:
    admin = await as_user("admin")
    token_a = (await login("heshan.district_commander"))["access_token"]
    old_kid = kid_of(token_a)
    published_before = {k["kid"] for k in (await gw.get(JWKS)).json()["keys"]}

    r = await gw.post("/api/v1/auth/keys/rotate", headers=admin)
    assert r.status_code == 200, r.text
    states = {k["kid"]: (k["state"], k["published"]) for k in r.json()["items"]}
    assert states[old_kid] == ("retired", True)
    [new_kid] = [kid for kid, (state, _) in states.items() if state == "current"]
    [next_kid] = [kid for kid, (state, _) in states.items() if state == "next"]
    assert len({old_kid, new_kid, next_kid}) == 3
    # The key that signs now was published before the rotation: services already have it.
    assert new_kid in published_before

    token_b = (await login("heshan.district_commander"))["access_token"]
    assert kid_of(token_b) == new_kid

    jwks = (await gw.get(JWKS)).json()
    assert {k["kid"] for k in jwks["keys"]} == {old_kid, new_kid, next_kid}
    for audience in ("projects", "gateway"):
        verifier = TokenVerifier(audience=audience, jwks=jwks)
        assert (await verifier.verify(token_a))["sub"].startswith("user:")
        assert (await verifier.verify(token_b))["sub"].startswith("user:")

    # The gateway's own routes accept both at once, with no HTTP call to itself.
    for token in (token_a, token_b):
        me = await gw.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text

    listed = await gw.get("/api/v1/auth/keys", headers=admin)
    assert listed.status_code == 200
    assert {k["kid"] for k in listed.json()["items"]} >= {old_kid, new_kid}


async def test_a_retired_key_leaves_the_jwks_once_its_tokens_have_expired(
        gw: httpx.AsyncClient, as_user: Headers, sql: Any) -> None:
    admin = await as_user("admin")
    old_kid = kid_of(admin["Authorization"].removeprefix("Bearer "))
    assert (await gw.post("/api/v1/auth/keys/rotate", headers=admin)).status_code == 200
    # access-token TTL (15 min) + grace (5 min) later:
    await sql("UPDATE gateway.signing_key SET retired_at = now() - interval '21 minutes' WHERE kid = :k", k=old_kid)
    kids = {k["kid"] for k in (await gw.get(JWKS)).json()["keys"]}
    assert old_kid not in kids
    assert len(kids) == 2  # the current and the next key
    listed = (await gw.get("/api/v1/auth/keys", headers=await as_user("admin"))).json()["items"]
    assert {k["kid"]: k["published"] for k in listed}[old_kid] is False
    # The retired key's private half is gone: it can never sign again.
    rows = await sql("SELECT private_key_enc FROM gateway.signing_key WHERE kid = :k", k=old_kid)
    assert rows[0]["private_key_enc"] is None


async def test_private_keys_are_encrypted_at_rest(sql: Any) -> None:
    rows = await sql("SELECT kid, private_key_enc, public_jwk FROM gateway.signing_key WHERE state = 'current'")
    [row] = rows
    assert row["private_key_enc"].startswith("dev1.")  # the PII cipher's key id, nonce, ciphertext
    assert "d" not in row["public_jwk"]


async def test_rotation_is_audited_and_needs_the_permission(gw: httpx.AsyncClient, as_user: Headers) -> None:
    refused = await gw.post("/api/v1/auth/keys/rotate", headers=await as_user("yiyang.city_commander"))
    assert refused.status_code == 403
    assert (await gw.get("/api/v1/auth/keys", headers=await as_user("yiyang.auditor"))).status_code == 403
    assert (await gw.post("/api/v1/auth/keys/rotate")).status_code == 401

    admin = await as_user("yiyang.admin")
    rotated = (await gw.post("/api/v1/auth/keys/rotate", headers=admin)).json()["items"]
    new_kid = next(k["kid"] for k in rotated if k["state"] == "current")
    audit = (await gw.get("/api/v1/gateway/audit", params={"action": "key.rotate"},
                          headers=await as_user("yiyang.auditor"))).json()
    [entry] = audit["items"]
    assert entry["entity_id"] == new_kid
    assert entry["actor_name"] == "王建国"
    assert entry["after"]["current"] == new_kid
    assert entry["before"]["next"] == new_kid
    verify = await gw.get("/api/v1/gateway/audit/verify", headers=await as_user("yiyang.auditor"))
    assert verify.json()["ok"] is True
