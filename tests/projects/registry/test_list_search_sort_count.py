"""Issue 11, item 15: the project list searches by name or code (``q``), sorts by an allowed key
with keyset pages that follow the sort (a cursor of another sort is refused), and counts on request."""

from __future__ import annotations

import uuid

import httpx

from tests.projects.conftest import project_body

PROJECTS = "/api/v1/projects/projects"


async def _make(projects: httpx.AsyncClient, code: str, name: str) -> None:
    r = await projects.post(PROJECTS, json=project_body(code, name=name),
                            headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text


async def _all(projects: httpx.AsyncClient, **params: str) -> list[str]:
    codes: list[str] = []
    cursor = None
    while True:
        r = await projects.get(PROJECTS, params={**params, "limit": "2", **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, r.text
        codes += [item["code"] for item in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return codes


async def test_search_sort_and_count(projects: httpx.AsyncClient, regions: list[str]) -> None:
    for code, name in (("YY-A-003", "桃花仑棚改"), ("YY-A-001", "金银山老旧小区"), ("YY-B-002", "桃花仑北片"),
                       ("YY-C-004", "梓山湖安置")):
        await _make(projects, code, name)
    assert await _all(projects, q="桃花仑") == ["YY-A-003", "YY-B-002"]
    assert await _all(projects, q="yy-a") == ["YY-A-001", "YY-A-003"]  # code, case-insensitive
    assert await _all(projects, sort="-code") == ["YY-C-004", "YY-B-002", "YY-A-003", "YY-A-001"]
    assert await _all(projects, sort="name") == sorted(
        ["YY-A-003", "YY-A-001", "YY-B-002", "YY-C-004"],
        key=lambda c: {"YY-A-003": "桃花仑棚改", "YY-A-001": "金银山老旧小区", "YY-B-002": "桃花仑北片",
                       "YY-C-004": "梓山湖安置"}[c].encode())  # the database's C collation: by code point
    newest_first = await _all(projects, sort="-updated_at")
    assert newest_first == ["YY-C-004", "YY-B-002", "YY-A-001", "YY-A-003"]

    r = await projects.get(PROJECTS, params={"q": "桃花仑", "count": "true", "limit": "1"})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 2
    assert len(r.json()["items"]) == 1
    assert "total" not in (await projects.get(PROJECTS)).json()


async def test_a_cursor_of_another_sort_or_a_bad_sort_is_a_422(projects: httpx.AsyncClient,
                                                              regions: list[str]) -> None:
    for i in range(3):
        await _make(projects, f"YY-S-00{i}", f"项目{i}")
    cursor = (await projects.get(PROJECTS, params={"limit": "1", "sort": "name"})).json()["next_cursor"]
    assert cursor
    for sort in ("code", "-name", "-updated_at"):
        r = await projects.get(PROJECTS, params={"limit": "1", "sort": sort, "cursor": cursor})
        assert r.status_code == 422, (sort, r.text)
        assert r.json()["code"] == "pagination.bad_cursor", r.text
    r = await projects.get(PROJECTS, params={"sort": "region_code"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "query.sort", r.text
    r = await projects.get(PROJECTS, params={"q": "x" * 101})
    assert r.status_code == 422, r.text
