"""No list response of any service contains an unmasked ID-card or phone number."""

from __future__ import annotations

import httpx

from tests.support.pii_scan import list_routes, unmasked


async def test_projects_lists(projects_app, projects: httpx.AsyncClient, regions: list[str]) -> None:
    routes = list(list_routes(projects_app))
    assert {r.path_format for r in routes} >= {"/api/v1/projects/projects", "/api/v1/projects/regions",
                                               "/api/v1/projects/audit"}
    for route in routes:
        r = await projects.get(route.path_format, params={"limit": 200})
        assert r.status_code == 200, (route.path_format, r.text)
        assert unmasked(r.text) == [], route.path_format
