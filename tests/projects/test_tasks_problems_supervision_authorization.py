"""Authorization matrix of tasks, documents, problems and supervision items: every role × every id route ×
a record in the caller's own sub-district, a child community, a sibling sub-district, the parent district
and another district; a task-force member sees only the project of their force. Expectations are written
out here by hand. Writes are sent so that an allowed call either succeeds again and again or stops at a
business rule *after* the scope check (closing without evidence answers 422, reopening an open problem 409):
reaching the rule means the caller got through."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kernel import calendar
from kernel.auth.roles import Role
from tests.projects.conftest import TREE, project_body
from tests.support.auth import bearer

P = "/api/v1/projects"
TODAY = calendar.today()
CALLER_REGION = "430903001000"  # 桃花仑街道
PLACES = {
    "own": "430903001000",
    "child": "430903001001",
    "sibling": "430903002000",
    "parent": "430903000000",
    "other_district": "430902001000",
}
EXTRA_REGIONS = [("430902001000", "汽车路街道")]

STAFF = {r.value for r in Role} - {"resident", "integration"}
PROJECT_WORK = {"admin", "city_commander", "district_commander", "street_officer", "taskforce_member"}
MAY = {
    "read": STAFF | {"integration"},
    "tasks": PROJECT_WORK,
    "problems": PROJECT_WORK | {"field_worker"},
    "supervision.manage": {"admin", "city_commander", "district_commander"},
    "supervision.report": PROJECT_WORK,
}
VISIBLE_TO_REGION_SCOPE = {"own", "child"}
VISIBLE_TO_TASKFORCE = {"sibling"}

Ids = dict[str, str]
Call = Callable[[httpx.AsyncClient, Ids, dict[str, str]], Any]


async def withdraw_fresh_problem_document(c: httpx.AsyncClient, i: Ids, h: dict[str, str]) -> httpx.Response:
    """Upload a document to the problem as the admin, then withdraw it as the caller (a document is
    withdrawn once, so each call needs its own)."""
    doc = await c.post(f"{P}/problems/{i['problem']}/documents", files={"file": ("误传.txt", b"wrong", "text/plain")})
    assert doc.status_code == 201, doc.text
    return await c.post(f"{P}/documents/{doc.json()['id']}/withdraw", headers=h, json={"reason": "误传，作废"})


# (method, route) -> (permission, the status an allowed caller gets, how to call it)
OPERATIONS: dict[tuple[str, str], tuple[str, int, Call]] = {
    ("POST", "/api/v1/projects/projects/{project_id}/tasks"): (
        "tasks", 201, lambda c, i, h: c.post(f"{P}/projects/{i['project']}/tasks", headers=h, json={"title": "核查"})),
    ("GET", "/api/v1/projects/projects/{project_id}/tasks"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/projects/{i['project']}/tasks", headers=h)),
    ("POST", "/api/v1/projects/projects/{project_id}/task-plans"): (
        "tasks", 200, lambda c, i, h: c.post(f"{P}/projects/{i['project']}/task-plans", headers=h, json={
            "target_date": str(TODAY + dt.timedelta(days=60)), "dry_run": True,
            "steps": [{"key": "a", "title": "签约", "duration_days": 10}]})),
    ("GET", "/api/v1/projects/tasks/{task_id}"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/tasks/{i['task']}", headers=h)),
    ("PATCH", "/api/v1/projects/tasks/{task_id}"): (
        "tasks", 200, lambda c, i, h: c.patch(f"{P}/tasks/{i['task']}", headers={**h, "If-Match": "*"},
                                              json={"description": "核对"})),
    ("POST", "/api/v1/projects/tasks/{task_id}/progress"): (
        "tasks", 201, lambda c, i, h: c.post(f"{P}/tasks/{i['task']}/progress", headers=h,
                                             json={"progress": 10, "note": "推进中"})),
    ("GET", "/api/v1/projects/tasks/{task_id}/progress"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/tasks/{i['task']}/progress", headers=h)),
    ("POST", "/api/v1/projects/tasks/{task_id}/documents"): (
        "tasks", 201, lambda c, i, h: c.post(f"{P}/tasks/{i['task']}/documents", headers=h,
                                             files={"file": ("批复.txt", b"pifu", "text/plain")})),
    ("GET", "/api/v1/projects/tasks/{task_id}/documents"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/tasks/{i['task']}/documents", headers=h)),
    ("GET", "/api/v1/projects/documents/{document_id}"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/documents/{i['document']}", headers=h)),
    ("GET", "/api/v1/projects/documents/{document_id}/content"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/documents/{i['document']}/content", headers=h)),
    # Withdrawing needs the owner's write permission (a problem's document here: problems.write; a
    # task's, tasks.write, is in test_document_withdrawal.py).
    ("POST", "/api/v1/projects/documents/{document_id}/withdraw"): ("problems", 200, withdraw_fresh_problem_document),
    ("POST", "/api/v1/projects/projects/{project_id}/problems"): (
        "problems", 201, lambda c, i, h: c.post(f"{P}/projects/{i['project']}/problems", headers=h, json={
            "category": "other", "title": "问题", "description": "描述", "deadline": str(TODAY)})),
    ("GET", "/api/v1/projects/projects/{project_id}/problems"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/projects/{i['project']}/problems", headers=h)),
    ("GET", "/api/v1/projects/problems/{problem_id}"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/problems/{i['problem']}", headers=h)),
    ("PATCH", "/api/v1/projects/problems/{problem_id}"): (
        "problems", 200, lambda c, i, h: c.patch(f"{P}/problems/{i['problem']}", headers={**h, "If-Match": "*"},
                                                 json={"measure": "包户"})),
    ("POST", "/api/v1/projects/problems/{problem_id}/progress"): (
        "problems", 201, lambda c, i, h: c.post(f"{P}/problems/{i['problem']}/progress", headers=h,
                                                json={"note": "进展"})),
    ("POST", "/api/v1/projects/problems/{problem_id}/close"): (
        "problems", 422, lambda c, i, h: c.post(f"{P}/problems/{i['problem']}/close", headers={**h, "If-Match": "*"},
                                                json={"note": "已解决", "evidence": []})),
    ("POST", "/api/v1/projects/problems/{problem_id}/reopen"): (
        "problems", 409, lambda c, i, h: c.post(f"{P}/problems/{i['problem']}/reopen",
                                                headers={**h, "If-Match": "*"}, json={"reason": "复发"})),
    ("GET", "/api/v1/projects/problems/{problem_id}/history"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/problems/{i['problem']}/history", headers=h)),
    ("GET", "/api/v1/projects/problems/{problem_id}/evidence"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/problems/{i['problem']}/evidence", headers=h)),
    ("POST", "/api/v1/projects/problems/{problem_id}/documents"): (
        "problems", 201, lambda c, i, h: c.post(f"{P}/problems/{i['problem']}/documents", headers=h,
                                                files={"file": ("佐证.txt", b"zz", "text/plain")})),
    ("GET", "/api/v1/projects/problems/{problem_id}/documents"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/problems/{i['problem']}/documents", headers=h)),
    ("GET", "/api/v1/projects/supervision/items/{item_id}"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/supervision/items/{i['item']}", headers=h)),
    ("PATCH", "/api/v1/projects/supervision/items/{item_id}"): (
        "supervision.manage", 200, lambda c, i, h: c.patch(f"{P}/supervision/items/{i['item']}",
                                                           headers={**h, "If-Match": "*"}, json={"detail": "细化"})),
    ("POST", "/api/v1/projects/supervision/items/{item_id}/reports"): (
        "supervision.report", 201, lambda c, i, h: c.post(f"{P}/supervision/items/{i['item']}/reports", headers=h,
                                                          json={"note": "办理中"})),
    ("GET", "/api/v1/projects/supervision/items/{item_id}/reports"): (
        "read", 200, lambda c, i, h: c.get(f"{P}/supervision/items/{i['item']}/reports", headers=h)),
    ("POST", "/api/v1/projects/supervision/items/{item_id}/close"): (
        "supervision.manage", 422, lambda c, i, h: c.post(f"{P}/supervision/items/{i['item']}/close",
                                                          headers={**h, "If-Match": "*"}, json={"result": ""})),
}

COVERED = set(OPERATIONS)


@pytest.fixture
async def records(projects: httpx.AsyncClient) -> dict[str, Ids]:
    """Per place: a project with a task (and its document), a problem and a supervision item."""
    for code, name in [*TREE, *EXTRA_REGIONS]:
        r = await projects.post(f"{P}/regions", json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    out: dict[str, Ids] = {}
    for place, region in PLACES.items():
        r = await projects.post(f"{P}/projects", json=project_body(f"W-{place.upper().replace('_', '-')}",
                                                                    region_code=region))
        assert r.status_code == 201, r.text
        pid = r.json()["id"]
        task = (await projects.post(f"{P}/projects/{pid}/tasks", json={"title": "立项", "kind": "project_approval"}))
        document = await projects.post(f"{P}/tasks/{task.json()['id']}/documents",
                                       files={"file": ("批复.txt", b"pifu", "text/plain")})
        problem = await projects.post(f"{P}/projects/{pid}/problems", json={
            "category": "funding", "title": "资金缺口", "description": "第二批补偿资金未到位",
            "deadline": str(TODAY + dt.timedelta(days=5))})
        item = await projects.post(f"{P}/supervision/items", json={
            "project_id": pid, "source": "daily_dispatch", "meeting_date": str(TODAY), "meeting_title": "日调度会",
            "subject": "督促资金到位", "deadline": str(TODAY + dt.timedelta(days=3))})
        for response in (task, document, problem, item):
            assert response.status_code == 201, response.text
        out[place] = {"project": pid, "task": task.json()["id"], "document": document.json()["id"],
                      "problem": problem.json()["id"], "item": item.json()["id"]}
    return out


def expected(role: str, permission: str, allowed: int, place: str) -> int:
    if role not in MAY[permission]:
        return 403
    visible = VISIBLE_TO_TASKFORCE if role == "taskforce_member" else VISIBLE_TO_REGION_SCOPE
    return allowed if place in visible else 404


def headers_for(role: Role, records: dict[str, Ids]) -> dict[str, str]:
    return bearer(role.value, region=CALLER_REGION, projects=[records["sibling"]["project"]],
                  kind="client" if role is Role.integration else "user", scopes=["projects:read", "regions:read"])


async def test_matrix(projects: httpx.AsyncClient, records: dict[str, Ids]) -> None:
    outcomes: Counter[str] = Counter()
    surprises = []
    for role in Role:
        headers = headers_for(role, records)
        for (method, path), (permission, allowed, call) in OPERATIONS.items():
            for place, ids in records.items():
                r = await call(projects, ids, headers)
                want = expected(role.value, permission, allowed, place)
                if r.status_code != want:
                    kind = "unexpected allow" if want in (403, 404) and r.status_code not in (403, 404) \
                        else "unexpected deny"
                    surprises.append((kind, role.value, method, path, place, want, r.status_code, r.text[:120]))
                outcomes["allow" if r.status_code not in (403, 404) else "deny"] += 1
                if r.status_code in (403, 404):
                    assert r.headers["content-type"] == "application/problem+json"
    assert outcomes["allow"] > 0
    assert outcomes["deny"] > 0
    assert surprises == [], f"{len(surprises)} surprises, e.g. {surprises[:5]}"


@pytest.mark.parametrize(
    ("role", "region", "force", "visible"),
    [
        ("street_officer", CALLER_REGION, [], {"own", "child"}),
        ("district_commander", "430903000000", [], {"own", "child", "sibling", "parent"}),
        ("city_commander", "430900000000", [], set(PLACES)),
        ("auditor", "430902000000", [], {"other_district"}),
        ("taskforce_member", CALLER_REGION, ["sibling"], {"sibling"}),
        ("field_worker", None, [], set()),
    ],
)
async def test_lists_are_filtered_in_the_query(projects: httpx.AsyncClient, records: dict[str, Ids], role: str,
                                               region: str | None, force: list[str], visible: set[str]) -> None:
    headers = bearer(role, region=region, projects=[records[p]["project"] for p in force])

    async def seen(url: str, key: str = "id") -> set[str]:
        found: set[str] = set()
        cursor = None
        while True:
            params: dict[str, str | int] = {"limit": 2}
            if cursor:
                params["cursor"] = cursor
            r = await projects.get(url, params=params, headers=headers)
            assert r.status_code == 200, r.text
            found |= {str(x[key]) for x in r.json()["items"]}
            cursor = r.json()["next_cursor"]
            if not cursor:
                return found

    assert await seen(f"{P}/tasks") == {records[p]["task"] for p in visible}
    assert await seen(f"{P}/problems") == {records[p]["problem"] for p in visible}
    assert await seen(f"{P}/problems/agenda") == {records[p]["problem"] for p in visible}
    assert await seen(f"{P}/supervision/items") == {records[p]["item"] for p in visible}


async def test_results_are_scoped(projects: httpx.AsyncClient, records: dict[str, Ids]) -> None:
    for ids in records.values():
        r = await projects.post(f"{P}/supervision/items/{ids['item']}/close", headers={"If-Match": "*"},
                                json={"result": "资金已到位"})
        assert r.status_code == 200, r.text
    headers = bearer("street_officer", region=CALLER_REGION)
    r = await projects.get(f"{P}/supervision/results", headers=headers)
    assert {i["id"] for i in r.json()["items"]} == {records["own"]["item"], records["child"]["item"]}


async def test_a_resident_sees_nothing_of_the_ledger(projects: httpx.AsyncClient, records: dict[str, Ids]) -> None:
    headers = bearer("resident", region=CALLER_REGION)
    for url in (f"{P}/tasks", f"{P}/problems", f"{P}/supervision/items", f"{P}/supervision/results"):
        assert (await projects.get(url, headers=headers)).status_code == 403
