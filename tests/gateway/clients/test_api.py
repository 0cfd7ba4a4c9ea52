"""Machine clients: OAuth 2 client credentials, and their administration."""

from __future__ import annotations

import base64

import httpx

import services.projects.permissions  # noqa: F401  (the table that says what projects:read grants)
from gateway.demo import DEMO_CLIENT_SECRET
from kernel.auth.principal import principal_from_claims
from kernel.web.auth import TokenVerifier
from tests.gateway.conftest import Headers

TOKEN = "/api/v1/auth/token"
CLIENT = "municipal-registry"


async def _token(gw: httpx.AsyncClient, **form: str) -> httpx.Response:
    return await gw.post(TOKEN, data=form)


def _basic(client_id: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


async def test_client_credentials_grant(gw: httpx.AsyncClient) -> None:
    r = await _token(gw, grant_type="client_credentials", client_id=CLIENT, client_secret=DEMO_CLIENT_SECRET)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 15 * 60
    assert body["scope"] == "projects:read regions:read"
    jwks = (await gw.get("/.well-known/jwks.json")).json()
    claims = await TokenVerifier(audience="projects", jwks=jwks).verify(body["access_token"])
    assert claims["sub"] == "client:municipal-registry"
    assert claims["typ"] == "client"
    assert claims["roles"] == ["integration"]
    assert claims["region"] == "430900000000"
    principal = principal_from_claims(claims)
    assert principal.may("projects.read")
    assert principal.may("regions.read")
    assert not principal.may("projects.write")


async def test_http_basic_and_a_narrower_scope(gw: httpx.AsyncClient) -> None:
    r = await gw.post(TOKEN, data={"grant_type": "client_credentials", "scope": "regions:read"},
                      headers=_basic(CLIENT, DEMO_CLIENT_SECRET))
    assert r.status_code == 200, r.text
    assert r.json()["scope"] == "regions:read"


async def test_bad_secret_and_unknown_client_get_the_same_answer(gw: httpx.AsyncClient) -> None:
    bad = await _token(gw, grant_type="client_credentials", client_id=CLIENT, client_secret="wrong")
    unknown = await _token(gw, grant_type="client_credentials", client_id="nobody", client_secret="wrong")
    for r in (bad, unknown):
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["code"] == "auth.invalid_client"
        assert r.json()["title"] == "客户端身份验证失败"


async def test_scope_not_granted_is_400(gw: httpx.AsyncClient) -> None:
    for scope in ("projects:write", "projects:read users:read"):
        r = await _token(gw, grant_type="client_credentials", client_id=CLIENT, client_secret=DEMO_CLIENT_SECRET,
                         scope=scope)
        assert r.status_code == 400
        assert r.json()["code"] == "auth.invalid_scope"


async def test_malformed_token_requests_are_400(gw: httpx.AsyncClient) -> None:
    wrong_grant = await _token(gw, grant_type="password", client_id=CLIENT, client_secret=DEMO_CLIENT_SECRET)
    assert wrong_grant.status_code == 400
    assert wrong_grant.json()["code"] == "auth.unsupported_grant_type"
    no_grant = await _token(gw, client_id=CLIENT, client_secret=DEMO_CLIENT_SECRET)
    assert no_grant.status_code == 400
    assert no_grant.json()["code"] == "auth.invalid_request"
    as_json = await gw.post(TOKEN, json={"grant_type": "client_credentials", "client_id": CLIENT,
                                         "client_secret": DEMO_CLIENT_SECRET})
    assert as_json.status_code == 400
    assert as_json.json()["code"] == "auth.invalid_request"
    twice = await gw.post(TOKEN, data={"grant_type": "client_credentials", "client_id": CLIENT},
                          headers=_basic(CLIENT, DEMO_CLIENT_SECRET))
    assert twice.status_code == 400
    repeated = await gw.post(TOKEN, content=b"grant_type=client_credentials&grant_type=client_credentials",
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert repeated.status_code == 400


async def test_admin_creates_a_client_and_sees_its_secret_once(gw: httpx.AsyncClient, as_user: Headers) -> None:
    admin = await as_user("yiyang.admin")
    r = await gw.post("/api/v1/auth/clients", headers=admin, json={
        "client_id": "housing-exchange", "name": "市住房保障数据交换", "scopes": ["projects:read"],
        "region_code": "430903000000"})
    assert r.status_code == 201, r.text
    assert r.headers["cache-control"] == "no-store"
    created = r.json()
    secret = created["client_secret"]
    assert len(secret) >= 43
    assert created["roles"] == ["integration"]

    listed = await gw.get("/api/v1/auth/clients", headers=admin)
    assert listed.status_code == 200
    assert "housing-exchange" in [c["client_id"] for c in listed.json()["items"]]
    assert secret not in listed.text
    assert "client_secret" not in listed.json()["items"][0]

    token = await _token(gw, grant_type="client_credentials", client_id="housing-exchange", client_secret=secret)
    assert token.status_code == 200
    assert token.json()["scope"] == "projects:read"

    dup = await gw.post("/api/v1/auth/clients", headers=admin, json={
        "client_id": "housing-exchange", "name": "重复", "scopes": ["projects:read"]})
    assert dup.status_code == 409
    assert dup.json()["code"] == "client.id_taken"

    reset = await gw.post("/api/v1/auth/clients/housing-exchange/secret", headers=admin)
    assert reset.status_code == 200
    new_secret = reset.json()["client_secret"]
    assert new_secret != secret
    old = await _token(gw, grant_type="client_credentials", client_id="housing-exchange", client_secret=secret)
    assert old.status_code == 401
    new = await _token(gw, grant_type="client_credentials", client_id="housing-exchange", client_secret=new_secret)
    assert new.status_code == 200

    audit = (await gw.get("/api/v1/gateway/audit", params={"entity_type": "client", "entity_id": "housing-exchange"},
                          headers=await as_user("yiyang.auditor"))).json()
    assert [e["action"] for e in audit["items"]] == ["client.secret_reset", "client.create"]
    assert secret not in str(audit)
    assert new_secret not in str(audit)


async def test_client_administration_needs_the_permission(gw: httpx.AsyncClient, as_user: Headers) -> None:
    commander = await as_user("yiyang.city_commander")
    body = {"client_id": "sneaky", "name": "越权", "scopes": ["projects:read"]}
    assert (await gw.post("/api/v1/auth/clients", headers=commander, json=body)).status_code == 403
    assert (await gw.get("/api/v1/auth/clients", headers=commander)).status_code == 403
    unknown_scope = await gw.post("/api/v1/auth/clients", headers=await as_user("admin"),
                                  json={**body, "scopes": ["users:write"]})
    assert unknown_scope.status_code == 422
    outside = await gw.post("/api/v1/auth/clients", headers=await as_user("heshan.admin"),
                            json={**body, "region_code": "430902000000"})
    assert outside.status_code == 403
    assert outside.json()["code"] == "scope.region_outside"
