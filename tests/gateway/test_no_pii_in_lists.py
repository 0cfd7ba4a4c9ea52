"""No list response of the gateway contains an unmasked phone or ID number."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.support.auth import token
from tests.support.pii_scan import list_routes, unmasked


async def test_gateway_lists(gw: httpx.AsyncClient, gateway_app: FastAPI, gdb) -> None:
    async with gdb.sessionmaker() as session:
        key = await gateway_app.state.identity.keys.signing_key(session)
    admin = {"Authorization": f"Bearer {token('admin', region='430000000000', key=key, audience=['gateway'])}"}
    for i, phone in enumerate(("13807371234", "15973710001")):
        r = await gw.post("/api/v1/auth/users", headers=admin, json={
            "username": f"scan.user{i}", "display_name": "扫描测试", "phone": phone,
            "roles": ["field_worker"], "region_code": "430903001000"})
        assert r.status_code == 201, r.text
    routes = {r.path_format for r in list_routes(gateway_app)}
    assert {"/api/v1/auth/users", "/api/v1/auth/clients", "/api/v1/gateway/audit"} <= routes
    for path in sorted(routes):
        r = await gw.get(path, params={"limit": 200}, headers=admin)
        assert r.status_code == 200, (path, r.text)
        assert unmasked(r.text) == [], path
        if path == "/api/v1/auth/users":
            assert "138****1234" in r.text  # the data is there, masked
    audit = await gw.get("/api/v1/gateway/audit", params={"limit": 200}, headers=admin)
    assert "scan.user0" in audit.text  # the creations were audited...
    assert "13807371234" not in audit.text  # ...without the number
