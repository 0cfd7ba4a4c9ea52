"""The hot lists (a page of projects, a page of tasks) are written straight from rows
(``kernel.web.schemas.RowsJson``, decision 0018): every item must equal what the record's own
route, which goes through the response schema, answers — for records with every kind of value:
decimals, an outline, labels, references, approvals, dependencies, overdue or not, and nulls."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from kernel import calendar
from tests.projects.conftest import project_body
from tests.support.auth import bearer

P = "/api/v1/projects"
TODAY = calendar.today()
DAY = dt.timedelta(days=1)
RING = [[112.352, 28.553], [112.361, 28.553], [112.361, 28.560], [112.352, 28.560], [112.352, 28.553]]


async def _created(projects: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await projects.post(f"{P}/{path}", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _same_as_the_record(projects: httpx.AsyncClient, url: str, record: str, *, expect: int,
                              headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    listed = await projects.get(url, headers=headers or {})
    assert listed.status_code == 200, listed.text
    assert listed.headers["content-type"] == "application/json"
    items = listed.json()["items"]
    assert len(items) == expect
    for item in items:
        one = await projects.get(f"{P}/{record}/{item['id']}", headers=headers or {})
        assert one.status_code == 200, one.text
        assert item == one.json()
    return list(items)


async def test_a_page_of_projects_equals_each_project(projects: httpx.AsyncClient, regions: list[str]) -> None:
    company = await _created(projects, "command-units", {
        "kind": "implementing_company", "name": "益阳城市建设投资运营集团有限责任公司", "region_code": "430900000000"})
    district = await _created(projects, "command-units", {
        "kind": "district_command", "name": "赫山区指挥部", "region_code": "430903000000"})
    full = await _created(projects, "projects", project_body(
        "SER-FULL", legal_basis="old_town_renewal", geometry={"type": "Polygon", "coordinates": [RING]},
        lead_unit_id=district["id"], implementing_company_id=company["id"], target_land_mu="0.50",
        target_investment="1280000.05"))
    await _created(projects, "command-units", {"kind": "task_force", "name": "桃花仑专班", "project_id": full["id"]})
    await _created(projects, "projects", project_body(
        "SER-BARE", type="old_compound", zone=None, target_households=None, target_floor_area=None,
        target_land_mu=None, target_investment=None))
    await _created(projects, "projects", project_body("SER-ZERO", type="urban_village", target_floor_area="0.00",
                                                      land_path="collective", stage="survey"))
    items = await _same_as_the_record(projects, f"{P}/projects?limit=50", "projects", expect=3)
    by_code = {i["code"]: i for i in items}
    assert by_code["SER-FULL"]["task_force_id"] is not None
    assert by_code["SER-FULL"]["legal_basis_label"].startswith("（五）")
    assert by_code["SER-FULL"]["target_investment"] == "1280000.05"
    assert by_code["SER-BARE"]["legal_basis_label"] is None
    assert by_code["SER-ZERO"]["target_floor_area"] == "0.00"
    # A page's filters and cursor work as before.
    first = (await projects.get(f"{P}/projects", params={"limit": 2})).json()
    rest = (await projects.get(f"{P}/projects", params={"limit": 2, "cursor": first["next_cursor"]})).json()
    assert [i["code"] for i in first["items"] + rest["items"]] == ["SER-BARE", "SER-FULL", "SER-ZERO"]
    assert rest["next_cursor"] is None
    await _same_as_the_record(projects, f"{P}/projects?type=urban_village", "projects", expect=1,
                              headers=bearer("street_officer", region="430903001000"))


async def test_a_page_of_tasks_equals_each_task(projects: httpx.AsyncClient, regions: list[str]) -> None:
    project = await _created(projects, "projects", project_body("SER-TASKS"))
    base = f"projects/{project['id']}/tasks"
    survey = await _created(projects, base, {
        "title": "入户调查", "owner_name": "张三", "owner_unit_name": "桃花仑街道办事处",
        "planned_start": str(TODAY - 40 * DAY), "planned_end": str(TODAY - 5 * DAY), "status": "in_progress",
        "progress": 60})
    await _created(projects, base, {
        "title": "项目立项", "kind": "project_approval", "description": "报市发改委审批",
        "planned_end": str(TODAY - 10 * DAY), "actual_end": str(TODAY - 12 * DAY), "status": "done", "progress": 100,
        "document_number": "益发改审〔2026〕118号", "approving_authority": "益阳市发展和改革委员会",
        "approved_on": str(TODAY - 12 * DAY)})
    await _created(projects, base, {
        "title": "签约动员", "planned_end": str(TODAY + 30 * DAY), "duration_days": 20, "working_days": True,
        "depends_on": [survey["id"]]})
    await _created(projects, base, {"title": "未排期任务"})
    items = await _same_as_the_record(projects, f"{P}/{base}?limit=50", "tasks", expect=4)
    by_title = {i["title"]: i for i in items}
    assert (by_title["入户调查"]["overdue"], by_title["项目立项"]["overdue"]) == (True, False)
    assert by_title["项目立项"]["is_approval"] is True
    assert by_title["签约动员"]["depends_on"] == [survey["id"]]
    overdue = await _same_as_the_record(projects, f"{P}/{base}?overdue=true", "tasks", expect=1)
    assert overdue[0]["id"] == survey["id"]
    await _same_as_the_record(projects, f"{P}/tasks?approvals=true", "tasks", expect=1)
