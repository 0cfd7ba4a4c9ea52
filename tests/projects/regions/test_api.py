from __future__ import annotations

import httpx

from tests.projects.conftest import TREE


async def test_region_parent_and_level_come_from_the_code(projects: httpx.AsyncClient, regions: list[str]) -> None:
    r = await projects.get("/api/v1/projects/regions/430903001001")
    assert r.status_code == 200
    assert r.json() == {"code": "430903001001", "name": "梓山湖社区", "level": "village",
                        "parent_code": "430903001000"}
    r = await projects.get("/api/v1/projects/regions/430903000000")
    assert r.json()["level"] == "county"
    assert r.json()["parent_code"] == "430900000000"


async def test_region_needs_its_parent_registered(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    r = await projects.post("/api/v1/projects/regions", json={"code": "430903009001", "name": "无上级社区"})
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"] == "application/problem+json"
    assert body["code"] == "region.parent_missing"
    assert body["title"] == "上级行政区划不存在，请先登记上级区划"
    assert await count("projects.region", "code = :c", c="430903009001") == 0


async def test_duplicate_region_conflicts(projects: httpx.AsyncClient, regions: list[str]) -> None:
    r = await projects.post("/api/v1/projects/regions", json={"code": "430903001000", "name": "重复"})
    assert r.status_code == 409
    assert r.json()["code"] == "region.exists"


async def test_malformed_region_code_is_rejected(projects: httpx.AsyncClient) -> None:
    for bad in ("4309", "43090300100X", "0009030010000", "000903001000"):
        r = await projects.post("/api/v1/projects/regions", json={"code": bad, "name": "坏代码"})
        assert r.status_code == 422, bad
        assert r.headers["content-type"] == "application/problem+json"
    r = await projects.get("/api/v1/projects/regions/12345")
    assert r.status_code == 422


async def test_list_children_of_a_region(projects: httpx.AsyncClient, regions: list[str]) -> None:
    r = await projects.get("/api/v1/projects/regions", params={"parent_code": "430903000000"})
    assert [x["code"] for x in r.json()["items"]] == ["430903001000", "430903002000"]
    r = await projects.get("/api/v1/projects/regions", params={"prefix": "430903001"})
    assert [x["code"] for x in r.json()["items"]] == ["430903001000", "430903001001"]
    r = await projects.get("/api/v1/projects/regions", params={"level": "county"})
    assert {x["code"] for x in r.json()["items"]} == {"430902000000", "430903000000"}


async def test_region_pages_walk_the_whole_list(projects: httpx.AsyncClient, regions: list[str]) -> None:
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await projects.get("/api/v1/projects/regions", params=params)).json()
        assert len(page["items"]) <= 2
        seen += [x["code"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(code for code, _ in TREE)


async def test_full_width_digits_are_not_a_code(projects: httpx.AsyncClient) -> None:
    r = await projects.post("/api/v1/projects/regions", json={"code": "４３０９０３００１０００", "name": "全角"})
    assert r.status_code == 422
    r = await projects.get("/api/v1/projects/projects", params={"region_prefix": "４３０９"})
    assert r.status_code == 422


async def test_region_create_is_idempotent(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    body = {"code": "430903002001", "name": "益阳大道社区"}
    first = await projects.post("/api/v1/projects/regions", json=body, headers={"Idempotency-Key": "region-key-0001"})
    again = await projects.post("/api/v1/projects/regions", json=body, headers={"Idempotency-Key": "region-key-0001"})
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await count("projects.region", "code = '430903002001'") == 1
