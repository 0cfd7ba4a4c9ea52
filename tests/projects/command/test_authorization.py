"""Authorization of the command-structure routes that take an id: every role × every
operation × a record in the caller's own sub-district, a child community, a sibling
sub-district, the parent district and another district, plus a task-force member of the
sibling project. Expectations are written out by hand."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx
import pytest

from kernel.auth.roles import Role
from tests.projects.conftest import TREE, project_body
from tests.support.auth import bearer

P = "/api/v1/projects"
CALLER_REGION = "430903001000"  # 桃花仑街道
PLACES = {
    "own": "430903001000",
    "child": "430903001001",
    "sibling": "430903002000",
    "parent": "430903000000",
    "other_district": "430902001000",
}
STAFF = {r.value for r in Role} - {"resident", "integration"}
MAY = {
    "read": STAFF | {"integration"},
    "write": {"admin", "city_commander", "district_commander"},
    "reveal": {"admin"},
}

#: (method, path) → (permission, record kind); the record kind picks the id and the visibility.
OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("GET", f"{P}/command-units/{{unit_id}}"): ("read", "unit"),
    ("PATCH", f"{P}/command-units/{{unit_id}}"): ("write", "unit"),
    ("GET", f"{P}/people/{{person_id}}"): ("read", "person"),
    ("PATCH", f"{P}/people/{{person_id}}"): ("write", "person"),
    ("POST", f"{P}/people/{{person_id}}/reveal"): ("reveal", "person"),
    ("GET", f"{P}/positions/{{position_id}}"): ("read", "position"),
    ("PATCH", f"{P}/positions/{{position_id}}"): ("write", "position"),
    ("GET", f"{P}/projects/{{project_id}}/responsibility"): ("read", "project"),
    ("POST", f"{P}/projects/{{project_id}}/responsibility"): ("write", "project"),
    ("GET", f"{P}/responsibilities/{{responsibility_id}}"): ("read", "responsibility"),
    ("PATCH", f"{P}/responsibilities/{{responsibility_id}}"): ("write", "responsibility"),
    ("DELETE", f"{P}/responsibilities/{{responsibility_id}}"): ("write", "responsibility"),
    ("GET", f"{P}/task-forces/{{unit_id}}/members"): ("read", "unit"),
    ("POST", f"{P}/task-forces/{{unit_id}}/members"): ("write", "unit"),
    ("GET", f"{P}/taskforce-members/{{member_id}}"): ("read", "member"),
    ("PATCH", f"{P}/taskforce-members/{{member_id}}"): ("write", "member"),
}
COVERED = set(OPERATIONS)

# What an allowed caller gets: writes are sent so that they change nothing for good — a
# DELETE with a stale version (412), a POST naming an unknown person (422).
ALLOWED = {"GET": 200, "PATCH": 200, "DELETE": 412, "POST": 422}
ALLOWED_FOR = {("POST", "person"): 200}  # a reveal changes nothing but the audit trail
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "unit"): {"name": "专班（改）"},
    ("PATCH", "person"): {"name": "改名"},
    ("PATCH", "position"): {"title": "组长"},
    ("PATCH", "responsibility"): {"note": "已核对"},
    ("PATCH", "member"): {"title": "副组长"},
    ("POST", "project"): {"level": "staff", "person_id": "00000000-0000-4000-8000-000000000000",
                          "household_count": 1},
    ("POST", "unit"): {"person_id": "00000000-0000-4000-8000-000000000000"},
    ("POST", "person"): {"purpose": "核实联系方式", "fields": ["phone"]},
}


def visible(role: str, kind: str) -> set[str]:
    if role == "taskforce_member":
        return set() if kind == "person" else {"sibling"}  # people are seen by region only
    return {"own", "child"}


def allowed(method: str, kind: str) -> int:
    return ALLOWED_FOR.get((method, kind), ALLOWED[method])


def expected(role: str, method: str, permission: str, kind: str, place: str) -> int:
    if role not in MAY[permission]:
        return 403
    return allowed(method, kind) if place in visible(role, kind) else 404


@pytest.fixture
async def records(projects: httpx.AsyncClient) -> dict[str, dict[str, str]]:
    for code, name in [*TREE, ("430902001000", "汽车路街道")]:
        r = await projects.post(f"{P}/regions", json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    ids: dict[str, dict[str, str]] = {}
    for place, region in PLACES.items():
        tag = place.upper().replace("_", "-")
        project = (await projects.post(f"{P}/projects", json=project_body(f"C-{tag}", region_code=region))).json()
        unit = (await projects.post(f"{P}/command-units", json={
            "kind": "task_force", "name": f"{tag}专班", "project_id": project["id"]})).json()
        person = (await projects.post(f"{P}/people", json={"name": f"{place}人员", "region_code": region})).json()
        position = await projects.post(f"{P}/positions", json={
            "person_id": person["id"], "unit_id": unit["id"], "title": "成员"})
        assert position.status_code == 201, position.text
        resp = await projects.post(f"{P}/projects/{project['id']}/responsibility", json={
            "level": "staff", "person_id": person["id"], "household_count": 10})
        assert resp.status_code == 201, resp.text
        member = await projects.post(f"{P}/task-forces/{unit['id']}/members", json={"person_id": person["id"]})
        assert member.status_code == 201, member.text
        ids[place] = {"project": project["id"], "unit": unit["id"], "person": person["id"],
                      "position": position.json()["id"], "responsibility": resp.json()["id"],
                      "member": member.json()["id"]}
    return ids


def _url(path: str, ids: dict[str, str]) -> str:
    for name in ("unit", "person", "position", "project", "responsibility", "member"):
        path = path.replace(f"{{{name}_id}}", ids[name])
    return path


async def test_matrix(projects: httpx.AsyncClient, records: dict[str, dict[str, str]]) -> None:
    outcomes: Counter[str] = Counter()
    surprises = []
    for role in Role:
        headers = bearer(role.value, region=CALLER_REGION, projects=[records["sibling"]["project"]],
                         kind="client" if role is Role.integration else "user", scopes=["projects:read"])
        for (method, path), (permission, kind) in OPERATIONS.items():
            for place, ids in records.items():
                url = _url(path, ids)
                body = BODIES.get((method, kind))
                extra = {"If-Match": '"999"' if method == "DELETE" else "*"} if method in ("PATCH", "DELETE") else {}
                r = await projects.request(method, url, json=body, headers={**headers, **extra})
                want = expected(role.value, method, permission, kind, place)
                if r.status_code != want:
                    kind_of = "unexpected allow" if r.status_code < 400 <= want else "unexpected deny"
                    surprises.append((kind_of, role.value, method, path, place, want, r.status_code, r.text[:120]))
                outcomes["allow" if r.status_code == allowed(method, kind) else "deny"] += 1
                if r.status_code in (403, 404):
                    assert r.headers["content-type"] == "application/problem+json"
    assert outcomes["allow"] > 0
    assert outcomes["deny"] > 0
    assert surprises == [], f"{len(surprises)} surprises, e.g. {surprises[:5]}"


async def test_task_force_member_reads_only_the_force_of_their_project(
        projects: httpx.AsyncClient, records: dict[str, dict[str, str]]) -> None:
    headers = bearer("taskforce_member", region=CALLER_REGION, projects=[records["sibling"]["project"]])
    units = (await projects.get(f"{P}/command-units", headers=headers)).json()["items"]
    assert [u["id"] for u in units] == [records["sibling"]["unit"]]
    people = (await projects.get(f"{P}/people", headers=headers)).json()["items"]
    assert people == []
    positions = (await projects.get(f"{P}/positions", headers=headers)).json()["items"]
    assert [p["id"] for p in positions] == [records["sibling"]["position"]]


async def test_lists_keep_to_the_region(projects: httpx.AsyncClient, records: dict[str, dict[str, str]]) -> None:
    headers = bearer("district_commander", region="430903000000")
    units = (await projects.get(f"{P}/command-units", headers=headers, params={"kind": "task_force"})).json()
    assert {u["id"] for u in units["items"]} == {records[p]["unit"] for p in ("own", "child", "sibling", "parent")}
    people = (await projects.get(f"{P}/people", headers=headers)).json()
    assert {p["id"] for p in people["items"]} == {records[p]["person"] for p in ("own", "child", "sibling", "parent")}
