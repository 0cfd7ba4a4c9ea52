from __future__ import annotations

import httpx
import pytest

TREE = [
    ("430000000000", "湖南省"),
    ("430900000000", "益阳市"),
    ("430902000000", "资阳区"),
    ("430903000000", "赫山区"),
    ("430903001000", "桃花仑街道"),
    ("430903002000", "金银山街道"),
    ("430903001001", "梓山湖社区"),
]


@pytest.fixture
async def regions(projects: httpx.AsyncClient) -> list[str]:
    for code, name in TREE:
        r = await projects.post("/api/v1/projects/regions", json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    return [code for code, _ in TREE]


def project_body(code: str = "TEST-001", **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "code": code,
        "name": "桃花仑片区棚改",
        "type": "shantytown",
        "land_path": "state",
        "region_code": "430903001000",
        "zone": "桃花仑片区",
        "target_households": 1240,
        "target_floor_area": "132500.00",
        "target_land_mu": "386.00",
        "target_investment": "3650000000.00",
    }
    body.update(over)
    return body
