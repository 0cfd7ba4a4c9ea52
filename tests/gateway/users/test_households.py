"""A resident's account and its household: one active resident per household, unless an
administrator of the region rebinds it explicitly, with a reason, audited."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from gateway.demo import demo_household_id
from tests.gateway.conftest import Headers

USERS = "/api/v1/auth/users"
HOUSEHOLD = str(demo_household_id("YY-LJ-2024-002", 1))  # qichelu.resident1's


def resident(**over: object) -> dict[str, object]:
    body: dict[str, object] = {"username": f"r{uuid.uuid4().hex[:10]}", "display_name": "熊小红",
                               "roles": ["resident"], "region_code": "430902001001", "household_id": HOUSEHOLD}
    body.update(over)
    return body


async def _by_username(gw: httpx.AsyncClient, headers: dict[str, str], username: str) -> dict[str, Any]:
    r = await gw.get(USERS, params={"role": "resident", "limit": 200}, headers=headers)
    found: list[dict[str, Any]] = [u for u in r.json()["items"] if u["username"] == username]
    assert len(found) == 1
    return found[0]


async def test_a_household_bound_to_another_resident_is_refused(gw: httpx.AsyncClient, as_user: Headers,
                                                               sql: Any) -> None:
    admin = await as_user("yiyang.admin")
    taken = await gw.post(USERS, json=resident(), headers=admin)
    assert taken.status_code == 409, taken.text
    assert taken.json()["code"] == "user.household_bound"
    assert [(e["field"], e["code"]) for e in taken.json()["errors"]] == [("body.household_id", "household_bound")]
    second = await _by_username(gw, admin, "qichelu.resident2")
    moved = await gw.patch(f"{USERS}/{second['id']}", json={"household_id": HOUSEHOLD},
                           headers={**admin, "If-Match": "*"})
    assert moved.status_code == 409, moved.text
    assert moved.json()["code"] == "user.household_bound"
    # The explicit rebind states its reason.
    no_reason = await gw.post(USERS, json=resident(rebind_household=True), headers=admin)
    assert no_reason.status_code == 422, no_reason.text
    assert [(e["field"], e["code"]) for e in no_reason.json()["errors"]] == [("body.rebind_reason",
                                                                             "rebind_reason_required")]
    assert (await sql("SELECT count(*) AS n FROM gateway.app_user WHERE household_id = :h",
                      h=uuid.UUID(HOUSEHOLD)))[0]["n"] == 1


async def test_an_admin_of_the_region_rebinds_explicitly_and_it_is_audited(gw: httpx.AsyncClient,
                                                                          as_user: Headers, sql: Any) -> None:
    first = await _by_username(gw, await as_user("admin"), "qichelu.resident1")
    # An administrator who cannot manage the bound account cannot take its household away.
    heshan = await as_user("heshan.admin")
    outside = await gw.post(USERS, json=resident(region_code="430903001000", rebind_household=True,
                                                 rebind_reason="户主变更，改由子女登录"), headers=heshan)
    assert outside.status_code == 403, outside.text
    admin = await as_user("yiyang.admin")
    reason = "户主已变更，由子女代为办理"
    r = await gw.post(USERS, json=resident(rebind_household=True, rebind_reason=reason), headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["household_id"] == HOUSEHOLD
    rows = await sql("SELECT id FROM gateway.app_user WHERE household_id = :h", h=uuid.UUID(HOUSEHOLD))
    assert [str(x["id"]) for x in rows] == [r.json()["id"]]
    audit = await sql("SELECT action, entity_id, before, after FROM gateway.audit_log "
                      "WHERE action = 'user.household_rebound'")
    assert [(a["entity_id"], a["before"], a["after"]) for a in audit] == [
        (first["id"], {"household_id": HOUSEHOLD},
         {"household_id": None, "rebound_to": r.json()["id"], "reason": reason})]


async def test_an_inactive_resident_does_not_hold_its_household(gw: httpx.AsyncClient, as_user: Headers) -> None:
    admin = await as_user("yiyang.admin")
    first = await _by_username(gw, admin, "qichelu.resident1")
    off = await gw.patch(f"{USERS}/{first['id']}", json={"active": False}, headers={**admin, "If-Match": "*"})
    assert off.status_code == 200, off.text
    r = await gw.post(USERS, json=resident(), headers=admin)
    assert r.status_code == 201, r.text
