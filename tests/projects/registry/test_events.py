"""Every change of a project announces itself in the outbox, in the same transaction."""

from __future__ import annotations

import httpx

from tests.projects.conftest import project_body

BASE = "/api/v1/projects/projects"


async def test_create_and_update_emit_and_refusals_do_not(projects: httpx.AsyncClient, regions: list[str],
                                                          count) -> None:
    created = await projects.post(BASE, json=project_body("EV-001"))
    pid = created.json()["id"]
    assert await count("projects.outbox_event", "aggregate_id = :a", a=pid) == 1
    await projects.patch(f"{BASE}/{pid}", json={"name": "新名称"}, headers={"If-Match": created.headers["etag"]})
    assert await count("projects.outbox_event", "aggregate_id = :a AND payload->>'name' = '新名称'"
                       " AND (payload->>'version')::int = 2", a=pid) == 1
    before = await count("projects.outbox_event")
    await projects.patch(f"{BASE}/{pid}", json={"name": "过期修改"}, headers={"If-Match": '"1"'})  # 412
    await projects.post(BASE, json=project_body("EV-001"))  # 409
    await projects.patch(f"{BASE}/{pid}", json={"name": "新名称"}, headers={"If-Match": '"2"'})  # no change
    assert await count("projects.outbox_event") == before
