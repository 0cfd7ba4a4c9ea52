"""Land parcels (地块): registration with areas in mu and m², the steps 交地 → 挂牌 → 成交 (and a
withdrawn listing), If-Match on every change, history, the land-sale event for funding in the
outbox, bad input, scope, and the authorization matrix of the parcel routes."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest

from kernel.auth.roles import Role
from kernel.calendar import today
from tests.projects.conftest import TREE, project_body
from tests.support.auth import bearer

PROJECTS = "/api/v1/projects/projects"
BASE = "/api/v1/projects/parcels"
D0 = dt.date(2025, 1, 10)


@pytest.fixture
async def project(projects: httpx.AsyncClient, regions: list[str]) -> str:
    r = await projects.post(PROJECTS, json=project_body("LAND-001", region_code="430903001001"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def parcel_body(project_id: str, code: str = "YYHS2025-001", **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_id": project_id, "code": code, "name": "益阳大道东片区 A-3 地块", "area_mu": "86.00",
        "planned_use": "commercial_residential", "cleared_on": D0.isoformat(),
    }
    body.update(over)
    return body


async def create(projects: httpx.AsyncClient, project_id: str, code: str = "YYHS2025-001",
                 **over: Any) -> httpx.Response:
    r = await projects.post(BASE, json=parcel_body(project_id, code, **over))
    assert r.status_code == 201, r.text
    return r


async def step(projects: httpx.AsyncClient, parcel_id: str, etag: str, **body: Any) -> httpx.Response:
    return await projects.post(f"{BASE}/{parcel_id}/steps", json=body, headers={"If-Match": etag})


async def test_register_with_mu_derives_m2_and_with_m2_derives_mu(projects: httpx.AsyncClient, project: str,
                                                                  count) -> None:
    r = await create(projects, project)
    p = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{BASE}/{p['id']}"
    assert (p["area_mu"], p["area_m2"]) == ("86.00", "57333.62")
    assert p["status"] == "cleared"
    assert p["status_label"] == "已清零"
    assert p["planned_use_label"] == "商住"
    assert p["region_code"] == "430903001001"  # the project's region by default
    assert p["price_per_mu"] is None
    by_m2 = await create(projects, project, "YYHS2025-002", area_mu=None, area_m2="57333.40")
    assert (by_m2.json()["area_mu"], by_m2.json()["area_m2"]) == ("86.00", "57333.40")
    both = await create(projects, project, "YYHS2025-003", area_mu="12.00", area_m2="8000.04")
    assert (both.json()["area_mu"], both.json()["area_m2"]) == ("12.00", "8000.04")
    assert await count("projects.outbox_event", "type = 'projects.parcel.changed'") == 3
    assert await count("projects.audit_log", "action = 'parcel.create'") == 3
    assert (await projects.get(f"{BASE}/{p['id']}")).json() == p


async def test_the_whole_way_to_a_sale_emits_land_sale_income(projects: httpx.AsyncClient, project: str,
                                                             count) -> None:
    p = (await create(projects, project)).json()
    url = f"{BASE}/{p['id']}"
    r = await step(projects, p["id"], '"1"', action="hand_over", on="2025-03-01")
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    assert (r.json()["status"], r.json()["handed_over_on"]) == ("handed_over", "2025-03-01")
    r = await step(projects, p["id"], '"2"', action="list", on="2025-05-20", starting_price="250000000.00",
                   venue="益阳市公共资源交易中心")
    assert r.status_code == 200, r.text
    assert r.json()["status_label"] == "挂牌"
    assert r.json()["listing_starting_price"] == "250000000.00"
    assert await count("projects.outbox_event", "type = 'projects.parcel.sold'") == 0
    r = await step(projects, p["id"], '"3"', action="sell", on="2025-06-18", buyer="益阳城建置业有限公司",
                   price="286000000.00")
    assert r.status_code == 200, r.text
    sold = r.json()
    assert sold["status"] == "sold"
    assert (sold["sold_on"], sold["sale_buyer"], sold["sale_price"]) == ("2025-06-18", "益阳城建置业有限公司",
                                                                         "286000000.00")
    assert sold["price_per_mu"] == "3325581.40"
    assert sold["version"] == 4
    assert await count("projects.outbox_event", "type = 'projects.parcel.sold' AND aggregate_id = :a"
                       " AND payload->>'amount' = '286000000.00' AND payload->>'sale_date' = '2025-06-18'"
                       " AND payload->>'buyer' = '益阳城建置业有限公司' AND payload->>'region_code' = '430903001001'"
                       " AND payload->>'project_id' = :p AND payload->>'price_per_mu' = '3325581.40'"
                       " AND project_id = CAST(:p AS uuid)", a=p["id"], p=project) == 1
    assert await count("projects.outbox_event", "type = 'projects.parcel.changed' AND aggregate_id = :a",
                       a=p["id"]) == 4
    history = (await projects.get(f"{url}/history")).json()["items"]
    assert [(h["action"], h["from_status"], h["to_status"], h["on_date"]) for h in history] == [
        ("register", None, "cleared", "2025-01-10"),
        ("hand_over", "cleared", "handed_over", "2025-03-01"),
        ("list", "handed_over", "listed", "2025-05-20"),
        ("sell", "listed", "sold", "2025-06-18"),
    ]
    assert history[2]["details"] == {"starting_price": "250000000.00", "venue": "益阳市公共资源交易中心"}
    assert history[3]["action_label"] == "成交"
    # sold: nothing more, and its area and use are settled
    again = await step(projects, p["id"], '"4"', action="withdraw", on="2025-06-19", reason="withdrawn")
    assert again.status_code == 409
    assert again.json()["code"] == "parcel.transition_refused"
    settled = await projects.patch(url, json={"area_mu": "90.00"}, headers={"If-Match": '"4"'})
    assert settled.status_code == 409
    assert settled.json()["code"] == "parcel.settled"
    assert await count("projects.outbox_event", "type = 'projects.parcel.sold'") == 1


async def test_failed_auction_goes_back_to_handed_over_and_keeps_the_listing_in_history(
        projects: httpx.AsyncClient, project: str) -> None:
    p = (await create(projects, project)).json()
    await step(projects, p["id"], '"1"', action="hand_over", on="2025-03-01")
    await step(projects, p["id"], '"2"', action="list", on="2025-04-01", starting_price="100.00", venue="交易中心")
    r = await step(projects, p["id"], '"3"', action="withdraw", on="2025-04-30", reason="failed_auction")
    assert r.status_code == 200, r.text
    back = r.json()
    assert back["status"] == "handed_over"
    assert back["listed_on"] is None
    assert back["listing_starting_price"] is None
    history = (await projects.get(f"{BASE}/{p['id']}/history")).json()["items"]
    assert history[-1]["details"] == {"reason": "failed_auction", "reason_label": "流拍", "listed_on": "2025-04-01",
                                      "starting_price": "100.00", "venue": "交易中心"}
    relisted = await step(projects, p["id"], '"4"', action="list", on="2025-05-10", starting_price="90.00",
                          venue="交易中心")
    assert relisted.status_code == 200
    assert relisted.json()["listed_on"] == "2025-05-10"


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"action": "list", "on": "2025-03-01", "starting_price": "1.00", "venue": "交易中心"}, 409,
     "parcel.transition_refused"),  # no skipping 交地
    ({"action": "sell", "on": "2025-03-01", "buyer": "某公司", "price": "1.00"}, 409, "parcel.transition_refused"),
    ({"action": "withdraw", "on": "2025-03-01", "reason": "withdrawn"}, 409, "parcel.transition_refused"),
    ({"action": "hand_over", "on": "2025-01-09"}, 422, "parcel.date_invalid"),  # before 清零
    ({"action": "hand_over", "on": "2999-01-01"}, 422, "parcel.date_invalid"),  # in the future
    ({"action": "demolish", "on": "2025-03-01"}, 422, "validation_failed"),
    ({"action": "hand_over"}, 422, "validation_failed"),
    ({"action": "hand_over", "on": "2025-03-01", "extra": 1}, 422, "validation_failed"),
])
async def test_refused_steps_change_nothing(projects: httpx.AsyncClient, project: str, count,
                                            body: dict[str, Any], status: int, code: str) -> None:
    p = (await create(projects, project)).json()
    r = await step(projects, p["id"], '"1"', **body)
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    if code == "parcel.transition_refused":
        assert r.json()["title"] == "地块状态不能这样变更"
        assert "交地" in r.json()["errors"][0]["message"]
    assert (await projects.get(f"{BASE}/{p['id']}")).json()["version"] == 1
    assert await count("projects.parcel_history") == 1
    assert await count("projects.outbox_event", "type = 'projects.parcel.changed'") == 1


async def test_sale_below_the_starting_price_is_refused(projects: httpx.AsyncClient, project: str) -> None:
    p = (await create(projects, project)).json()
    await step(projects, p["id"], '"1"', action="hand_over", on="2025-03-01")
    await step(projects, p["id"], '"2"', action="list", on="2025-04-01", starting_price="1000.00", venue="交易中心")
    r = await step(projects, p["id"], '"3"', action="sell", on="2025-04-30", buyer="某公司", price="999.99")
    assert r.status_code == 422
    assert r.json()["code"] == "parcel.price_invalid"
    assert r.json()["errors"][0]["field"] == "body.price"


async def test_if_match_on_every_change(projects: httpx.AsyncClient, project: str) -> None:
    p = (await create(projects, project)).json()
    url = f"{BASE}/{p['id']}"
    missing = await projects.post(f"{url}/steps", json={"action": "hand_over", "on": "2025-03-01"})
    assert missing.status_code == 428
    ok = await projects.patch(url, json={"name": "A-3 地块（调整）"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200
    stale = await step(projects, p["id"], '"1"', action="hand_over", on="2025-03-01")
    assert stale.status_code == 412
    stale_patch = await projects.patch(url, json={"name": "过期"}, headers={"If-Match": '"1"'})
    assert stale_patch.status_code == 412
    no_header = await projects.patch(url, json={"name": "无版本"})
    assert no_header.status_code == 428
    assert (await projects.get(url)).json()["status"] == "cleared"


async def test_update_areas_rederives_and_refuses_inconsistent(projects: httpx.AsyncClient, project: str) -> None:
    p = (await create(projects, project)).json()
    url = f"{BASE}/{p['id']}"
    r = await projects.patch(url, json={"area_m2": "60000.00"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert (r.json()["area_mu"], r.json()["area_m2"]) == ("90.00", "60000.00")
    bad = await projects.patch(url, json={"area_mu": "10.00", "area_m2": "60000.00"}, headers={"If-Match": '"2"'})
    assert bad.status_code == 422
    assert bad.json()["code"] == "parcel.area_invalid"
    null = await projects.patch(url, json={"area_mu": None}, headers={"If-Match": '"2"'})
    assert null.status_code == 422
    unchanged = await projects.patch(url, json={"name": p["name"]}, headers={"If-Match": '"2"'})
    assert unchanged.json()["version"] == 2


@pytest.mark.parametrize(("over", "code", "field"), [
    ({"area_mu": "86.00", "area_m2": "50000.00"}, "parcel.area_invalid", "body.area_mu"),
    ({"area_mu": None}, "parcel.area_invalid", "body.area_mu"),
    ({"area_mu": "0"}, "parcel.area_invalid", "body.area_mu"),
    ({"area_mu": 86.5}, "validation_failed", "body.area_mu"),  # floats refused
    ({"area_mu": "-1.00"}, "validation_failed", "body.area_mu"),
    ({"planned_use": "castle"}, "validation_failed", "body.planned_use"),
    ({"cleared_on": "2999-01-01"}, "parcel.date_invalid", "body.cleared_on"),
    ({"region_code": "430903099000"}, "region.unknown", "body.region_code"),
    ({"project_id": str(uuid.uuid4())}, "parcel.project_unknown", "body.project_id"),
    ({"code": ""}, "validation_failed", "body.code"),
])
async def test_bad_registrations_write_nothing(projects: httpx.AsyncClient, project: str, count,
                                               over: dict[str, Any], code: str, field: str) -> None:
    r = await projects.post(BASE, json={**parcel_body(project), **over})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["code"] == code
    assert body["errors"][0]["field"] == field
    assert body["title"]  # Chinese title
    assert await count("projects.parcel") == 0
    assert await count("projects.outbox_event", "type LIKE 'projects.parcel.%'") == 0


async def test_duplicate_code_and_id_and_idempotent_retry(projects: httpx.AsyncClient, project: str,
                                                          count) -> None:
    pid = str(uuid.uuid4())
    headers = {"Idempotency-Key": "parcel-create-0001"}
    first = await projects.post(BASE, json=parcel_body(project, id=pid), headers=headers)
    assert first.status_code == 201
    assert first.json()["id"] == pid
    replay = await projects.post(BASE, json=parcel_body(project, id=pid), headers=headers)
    assert replay.status_code == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    dup_code = await projects.post(BASE, json=parcel_body(project))
    assert dup_code.status_code == 409
    assert dup_code.json()["code"] == "parcel.code_taken"
    dup_id = await projects.post(BASE, json=parcel_body(project, "OTHER-1", id=pid))
    assert dup_id.status_code == 409
    assert dup_id.json()["code"] == "parcel.id_taken"
    assert await count("projects.parcel") == 1


async def test_list_filters_and_delta_sync(projects: httpx.AsyncClient, project: str) -> None:
    a = (await create(projects, project, "P-A")).json()
    b = (await create(projects, project, "P-B", planned_use="residential")).json()
    await create(projects, project, "P-C")
    await step(projects, b["id"], '"1"', action="hand_over", on="2025-02-01")

    async def codes(**params: str) -> list[str]:
        r = await projects.get(BASE, params=params)
        assert r.status_code == 200, r.text
        return [p["code"] for p in r.json()["items"]]

    assert await codes() == ["P-A", "P-B", "P-C"]
    assert await codes(status="handed_over") == ["P-B"]
    assert await codes(planned_use="residential") == ["P-B"]
    assert await codes(project_id=project, limit="2") == ["P-A", "P-B"]
    assert await codes(region_prefix="430902") == []
    assert await codes(updated_since=a["updated_at"]) == ["P-C", "P-B"]  # by time of change
    bad = await projects.get(BASE, params={"status": "gone"})
    assert bad.status_code == 422


async def test_today_is_a_valid_step_date(projects: httpx.AsyncClient, project: str) -> None:
    p = (await create(projects, project)).json()
    r = await step(projects, p["id"], '"1"', action="hand_over", on=today().isoformat())
    assert r.status_code == 200


# --- scope and the authorization matrix -------------------------------------------------------------

CALLER_REGION = "430903001000"
PLACES = {"own": "430903001000", "child": "430903001001", "sibling": "430903002000",
          "parent": "430903000000", "other_district": "430902001000"}
STAFF = {r.value for r in Role} - {"resident", "integration"}
MAY = {"read": STAFF | {"integration"}, "write": {"admin", "city_commander", "district_commander"}}
VISIBLE = {"own", "child"}
VISIBLE_TO_TASKFORCE = {"sibling"}

COVERED = {
    ("GET", "/api/v1/projects/parcels/{parcel_id}"),
    ("PATCH", "/api/v1/projects/parcels/{parcel_id}"),
    ("POST", "/api/v1/projects/parcels/{parcel_id}/steps"),
    ("GET", "/api/v1/projects/parcels/{parcel_id}/history"),
}
OPERATIONS = {
    ("GET", "/api/v1/projects/parcels/{parcel_id}"): "read",
    ("PATCH", "/api/v1/projects/parcels/{parcel_id}"): "write",
    ("POST", "/api/v1/projects/parcels/{parcel_id}/steps"): "write",
    ("GET", "/api/v1/projects/parcels/{parcel_id}/history"): "read",
}


@pytest.fixture
async def places(projects: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    for code, name in [*TREE, ("430902001000", "汽车路街道")]:
        r = await projects.post("/api/v1/projects/regions", json={"code": code, "name": name})
        assert r.status_code in (201, 409), r.text
    out = {}
    for place, region in PLACES.items():
        r = await projects.post(PROJECTS, json=project_body(f"L-{place.upper().replace('_', '-')}",
                                                            region_code=region))
        assert r.status_code == 201, r.text
        parcel = await create(projects, r.json()["id"], f"PL-{place}")
        out[place] = {"project": r.json()["id"], "parcel": parcel.json()["id"]}
    return out


def expected(role: str, permission: str, place: str) -> str:
    if role not in MAY[permission]:
        return "denied"
    visible = VISIBLE_TO_TASKFORCE if role == "taskforce_member" else VISIBLE
    return "through" if place in visible else "hidden"


def outcome(status: int) -> str:
    assert status < 500
    return {403: "denied", 404: "hidden"}.get(status, "through")


async def test_matrix(projects: httpx.AsyncClient, places: dict[str, dict[str, str]]) -> None:
    seen: Counter[str] = Counter()
    surprises = []
    for role in Role:
        headers = bearer(role.value, region=CALLER_REGION, projects=[places["sibling"]["project"]],
                         kind="client" if role is Role.integration else "user",
                         scopes=["projects:read", "regions:read"])
        for (method, path), permission in OPERATIONS.items():
            for place, ids in places.items():
                url = path.replace("{parcel_id}", ids["parcel"])
                if method == "GET":
                    r = await projects.get(url, headers=headers)
                else:
                    etag = (await projects.get(f"{BASE}/{ids['parcel']}")).headers["etag"]
                    h = {**headers, "If-Match": etag}
                    if method == "PATCH":
                        r = await projects.patch(url, json={"note": f"{role.value} 备注"}, headers=h)
                    else:
                        r = await projects.post(url, json={"action": "hand_over", "on": "2025-03-01"}, headers=h)
                want, got = expected(role.value, permission, place), outcome(r.status_code)
                if want != got:
                    surprises.append((role.value, method, path, place, want, r.status_code))
                seen[got] += 1
    assert all(seen[k] > 0 for k in ("through", "denied", "hidden")), seen
    assert surprises == [], f"{len(surprises)} surprises, e.g. {surprises[:5]}"


async def test_lists_follow_scope(projects: httpx.AsyncClient, places: dict[str, dict[str, str]]) -> None:
    async def seen(headers: dict[str, str]) -> set[str]:
        r = await projects.get(BASE, headers=headers)
        assert r.status_code == 200
        return {p["id"] for p in r.json()["items"]}

    assert await seen(bearer("street_officer", region=CALLER_REGION)) == {
        places["own"]["parcel"], places["child"]["parcel"]}
    assert await seen(bearer("taskforce_member", region=CALLER_REGION, projects=[places["sibling"]["project"]])) == {
        places["sibling"]["parcel"]}
    assert await seen(bearer("field_worker", region=None)) == set()
    resident = await projects.get(BASE, headers=bearer("resident", region=CALLER_REGION))
    assert resident.status_code == 403


async def test_create_only_for_a_project_in_scope(projects: httpx.AsyncClient, places: dict[str, dict[str, str]],
                                                 count) -> None:
    headers = bearer("district_commander", region="430903000000")
    inside = await projects.post(BASE, headers=headers, json=parcel_body(places["sibling"]["project"], "IN-1"))
    assert inside.status_code == 201
    outside = await projects.post(BASE, headers=headers,
                                  json=parcel_body(places["other_district"]["project"], "OUT-1"))
    assert outside.status_code == 422
    assert outside.json()["code"] == "parcel.project_unknown"
    region_outside = await projects.post(BASE, headers=headers, json=parcel_body(
        places["sibling"]["project"], "OUT-2", region_code="430902001000"))
    assert region_outside.status_code == 403
    assert await count("projects.parcel", "code LIKE 'OUT-%'") == 0
