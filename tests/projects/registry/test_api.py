from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from tests.projects.conftest import project_body

BASE = "/api/v1/projects/projects"


async def test_create_read_and_list(projects: httpx.AsyncClient, regions: list[str]) -> None:
    r = await projects.post(BASE, json=project_body())
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["location"] == f"{BASE}/{created['id']}"
    assert r.headers["etag"] == '"1"'
    assert created["type_label"] == "棚户区改造"
    assert created["stage"] == "reserve"
    assert created["stage_label"] == "谋划储备"
    assert created["target_investment"] == "3650000000.00"
    assert created["target_land_mu"] == "386.00"

    got = await projects.get(f"{BASE}/{created['id']}")
    assert got.status_code == 200
    assert got.json() == created

    listed = (await projects.get(BASE)).json()
    assert [p["code"] for p in listed["items"]] == ["TEST-001"]
    assert listed["next_cursor"] is None


async def test_client_generated_id_is_kept(projects: httpx.AsyncClient, regions: list[str]) -> None:
    pid = str(uuid.uuid4())
    r = await projects.post(BASE, json=project_body(id=pid))
    assert r.status_code == 201
    assert r.json()["id"] == pid
    again = await projects.post(BASE, json=project_body(code="TEST-002", id=pid))
    assert again.status_code == 409
    assert again.json()["code"] == "project.id_taken"


async def test_filters(projects: httpx.AsyncClient, regions: list[str]) -> None:
    await projects.post(BASE, json=project_body("A-001", region_code="430903001001"))
    await projects.post(BASE, json=project_body("A-002", region_code="430903002000", type="urban_village",
                                                land_path="collective"))
    await projects.post(BASE, json=project_body("A-003", region_code="430902000000", type="old_compound",
                                                stage="construction"))

    async def codes(**params: str) -> list[str]:
        r = await projects.get(BASE, params=params)
        assert r.status_code == 200, r.text
        return [p["code"] for p in r.json()["items"]]

    assert await codes(region_prefix="430903") == ["A-001", "A-002"]
    assert await codes(region_prefix="430903001") == ["A-001"]
    assert await codes(region_prefix="4309") == ["A-001", "A-002", "A-003"]
    assert await codes(type="urban_village") == ["A-002"]
    assert await codes(stage="construction") == ["A-003"]
    assert await codes(region_prefix="430903", type="old_compound") == []


async def test_pages_are_bounded_and_complete(projects: httpx.AsyncClient, regions: list[str]) -> None:
    for i in range(7):
        await projects.post(BASE, json=project_body(f"P-{i:03d}"))
    seen: list[str] = []
    cursor = None
    while True:
        page = (await projects.get(BASE, params={"limit": 3, **({"cursor": cursor} if cursor else {})})).json()
        assert len(page["items"]) <= 3
        seen += [p["code"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"P-{i:03d}" for i in range(7)]


async def test_updated_since_returns_only_later_changes(projects: httpx.AsyncClient, regions: list[str]) -> None:
    first = (await projects.post(BASE, json=project_body("S-001"))).json()
    await asyncio.sleep(0.01)
    second = (await projects.post(BASE, json=project_body("S-002"))).json()
    r = await projects.get(BASE, params={"updated_since": first["updated_at"]})
    assert [p["code"] for p in r.json()["items"]] == ["S-002"]
    assert second["updated_at"] > first["updated_at"]


async def test_update_with_if_match(projects: httpx.AsyncClient, regions: list[str]) -> None:
    created = (await projects.post(BASE, json=project_body())).json()
    url = f"{BASE}/{created['id']}"
    r = await projects.patch(url, json={"name": "桃花仑片区棚户区改造（一期）", "zone": None},
                             headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.headers["etag"] == '"2"'
    assert r.json()["name"] == "桃花仑片区棚户区改造（一期）"
    assert r.json()["zone"] is None
    assert r.json()["target_households"] == 1240  # untouched

    stale = await projects.patch(url, json={"name": "过期的修改"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    missing = await projects.patch(url, json={"name": "没有版本号"})
    assert missing.status_code == 428
    assert (await projects.get(url)).json()["name"] == "桃花仑片区棚户区改造（一期）"


async def test_update_refuses_unknown_region_and_nulls(projects: httpx.AsyncClient, regions: list[str]) -> None:
    created = (await projects.post(BASE, json=project_body())).json()
    url = f"{BASE}/{created['id']}"
    r = await projects.patch(url, json={"region_code": "430903099000"}, headers={"If-Match": '"1"'})
    assert r.status_code == 422
    assert r.json()["code"] == "region.unknown"
    r = await projects.patch(url, json={"name": None}, headers={"If-Match": '"1"'})
    assert r.status_code == 422
    r = await projects.patch(url, json={"stage": "delivered"}, headers={"If-Match": '"1"'})
    assert r.status_code == 422  # the stage moves only through the stage machine
    assert (await projects.get(url)).json()["version"] == 1


async def test_missing_project_is_404_problem(projects: httpx.AsyncClient) -> None:
    r = await projects.get(f"{BASE}/{uuid.uuid4()}")
    assert r.status_code == 404
    assert r.json()["code"] == "project.not_found"
    assert r.json()["title"] == "项目不存在"


# --- bad input: a clear 4xx problem, in Chinese, and nothing written ------------------------------


async def test_unknown_region(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    r = await projects.post(BASE, json=project_body(region_code="430903777000"))
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "region.unknown"
    assert body["title"] == "所填行政区划不存在"
    assert body["errors"][0]["field"] == "body.region_code"
    assert await count("projects.project") == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("region_code", "43090300100"),      # 11 digits
        ("region_code", "43090300100A"),
        ("code", "小写-编号"),
        ("code", "x"),
        ("type", "castle"),
        ("target_households", "很多"),
        ("target_households", -1),
        ("target_investment", 12.5),          # money never as a float
        ("target_investment", "12.345"),      # at most two places
        ("target_floor_area", "-3.00"),
        ("name", ""),
        ("stage", "moon"),
    ],
)
async def test_malformed_fields(projects: httpx.AsyncClient, regions: list[str], count, field: str,
                                value: object) -> None:
    r = await projects.post(BASE, json={**project_body(), field: value})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["code"] == "validation_failed"
    assert body["title"] == "请求参数不合法"
    assert any(e["field"] == f"body.{field}" for e in body["errors"]), body
    assert str(value) not in r.text or str(value) in ("x", "", "-1"), "problem bodies never echo input"
    assert await count("projects.project") == 0


async def test_duplicate_code(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    assert (await projects.post(BASE, json=project_body())).status_code == 201
    r = await projects.post(BASE, json=project_body(name="另一个名称"))
    assert r.status_code == 409
    assert r.json()["code"] == "project.code_taken"
    assert r.json()["title"] == "项目编号已存在"
    assert await count("projects.project", "code = 'TEST-001'") == 1


async def test_page_size_is_bounded(projects: httpx.AsyncClient) -> None:
    for limit in (10_000, 0, -5, 201):
        r = await projects.get(BASE, params={"limit": limit})
        assert r.status_code == 422, limit
        assert r.json()["code"] == "pagination.limit_out_of_range"
        assert r.json()["errors"][0]["field"] == "query.limit"
    assert (await projects.get(BASE, params={"limit": 200})).status_code == 200


async def test_wrong_types_and_bad_json(projects: httpx.AsyncClient, count) -> None:
    r = await projects.post(BASE, json=["not", "an", "object"])
    assert r.status_code == 422
    # Issue 11, item 14: a body that is not JSON could not be parsed: 400, as the README promises.
    r = await projects.post(BASE, content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_request"
    r = await projects.get(f"{BASE}/not-a-uuid")
    assert r.status_code == 422
    r = await projects.get(BASE, params={"cursor": "garbage!"})
    assert r.status_code == 422
    assert r.json()["code"] == "pagination.bad_cursor"
    r = await projects.get(BASE, params={"type": "castle"})
    assert r.status_code == 422
    r = await projects.post(BASE, json={**project_body(), "unexpected": 1})
    assert r.status_code == 422
    assert await count("projects.project") == 0


async def test_english_titles_on_request(projects: httpx.AsyncClient, regions: list[str]) -> None:
    r = await projects.post(BASE, json=project_body(region_code="430903777000"), headers={"Accept-Language": "en-US"})
    assert r.json()["title"] == "The region named does not exist"
    r = await projects.get(BASE, params={"limit": 10_000}, headers={"Accept-Language": "en"})
    assert r.json()["title"] == "Page size out of range"


async def test_request_id_is_echoed_and_in_problems(projects: httpx.AsyncClient) -> None:
    r = await projects.get(f"{BASE}/{uuid.uuid4()}", headers={"X-Request-ID": "field-app-42"})
    assert r.headers["x-request-id"] == "field-app-42"
    assert r.json()["request_id"] == "field-app-42"
    r = await projects.get(BASE)
    assert len(r.headers["x-request-id"]) == 32


async def test_delta_sync_pages_through_changes_in_order(projects: httpx.AsyncClient, regions: list[str]) -> None:
    start = "2000-01-01T00:00:00Z"
    made = [(await projects.post(BASE, json=project_body(f"D-{i:03d}"))).json()["code"] for i in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"updated_since": start, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await projects.get(BASE, params=params)).json()
        seen += [p["code"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == made  # in order of change, none lost or repeated across pages
