"""The authorization matrix: every role × every operation × a record in the caller's own
sub-district, a child community, a sibling sub-district, the parent district and another
district. Expectations are written out here, by hand, as the specification: the test
fails on any unexpected allow (and on any unexpected deny), and when a route that takes
an id is missing from the matrix."""

from __future__ import annotations

import importlib
import uuid
from collections import Counter
from pathlib import Path

import httpx
import pytest

from kernel.auth.roles import Role
from kernel.web.auth import api_routes
from tests.projects.conftest import TREE, project_body
from tests.support.auth import bearer

CALLER_REGION = "430903001000"  # 桃花仑街道 (a sub-district)
PLACES = {
    "own": "430903001000",
    "child": "430903001001",          # 梓山湖社区, inside the caller's sub-district
    "sibling": "430903002000",        # 金银山街道, same district
    "parent": "430903000000",         # 赫山区, the district itself
    "other_district": "430902001000",  # 汽车路街道, 资阳区
}
EXTRA_REGIONS = [("430902001000", "汽车路街道")]

# Who may do what (the specification, independent of kernel.auth.principal.PERMISSIONS).
STAFF = {r.value for r in Role} - {"resident", "integration"}
# Municipal systems (role integration) read with client credentials; the matrix's
# client holds the projects:read and regions:read scopes (without them: test_auth.py).
MAY = {
    "projects.read": STAFF | {"integration"},
    "projects.write": {"admin", "city_commander", "district_commander"},
    "regions.read": STAFF | {"integration"},
}
# Which records a sub-district caller sees: its own region and everything below it.
VISIBLE_TO_REGION_SCOPE = {"own", "child"}
# A task-force member sees exactly the projects of their force (here: the sibling one).
VISIBLE_TO_TASKFORCE = {"sibling"}

#: Every operation on a single record, by route. A new id route must be added here.
OPERATIONS = {
    ("GET", "/api/v1/projects/projects/{project_id}"): "projects.read",
    ("PATCH", "/api/v1/projects/projects/{project_id}"): "projects.write",
    ("GET", "/api/v1/projects/regions/{code}"): "regions.read",
}
#: Routes with a path parameter that are not about one record.
NOT_RECORDS = {("GET", "/api/v1/projects/audit/verify"),
               ("POST", "/api/v1/projects/events/dead-letters/{dead_letter_id}/replay")}  # ops: admin only


def covered_elsewhere() -> set[tuple[str, str]]:
    """Each area's authorization test lists the id routes it covers as ``COVERED``."""
    covered: set[tuple[str, str]] = set()
    here, package = Path(__file__).parent, __name__.rpartition(".")[0]
    for path in sorted(here.rglob("test_*.py")):  # this folder and each slice's
        module = importlib.import_module(".".join((package, *path.relative_to(here).with_suffix("").parts)))
        covered |= set(getattr(module, "COVERED", ()))
    return covered


def test_every_id_route_is_in_the_matrix(projects_app) -> None:
    id_routes = {
        (method, route.path_format)
        for route in api_routes(projects_app) if "{" in route.path_format
        for method in route.methods
    }
    assert ("GET", "/api/v1/projects/projects/{project_id}") in id_routes  # the enumeration sees included routes
    missing = id_routes - set(OPERATIONS) - NOT_RECORDS - covered_elsewhere()
    assert not missing, f"routes missing from the authorization matrix: {sorted(missing)}"


@pytest.fixture
async def records(projects: httpx.AsyncClient) -> dict[str, str]:
    for code, name in [*TREE, *EXTRA_REGIONS]:
        r = await projects.post("/api/v1/projects/regions", json={"code": code, "name": name})
        assert r.status_code == 201, r.text
    ids = {}
    for place, region in PLACES.items():
        r = await projects.post("/api/v1/projects/projects", json=project_body(f"M-{place.upper().replace('_', '-')}",
                                                                                region_code=region))
        assert r.status_code == 201, r.text
        ids[place] = r.json()["id"]
    return ids


def expected(role: str, permission: str, place: str) -> int:
    if role not in MAY[permission]:
        return 403
    if permission == "regions.read":
        return 200  # reference data
    visible = VISIBLE_TO_TASKFORCE if role == "taskforce_member" else VISIBLE_TO_REGION_SCOPE
    return 200 if place in visible else 404


async def test_matrix(projects: httpx.AsyncClient, records: dict[str, str]) -> None:
    outcomes: Counter[str] = Counter()
    surprises = []
    for role in Role:
        headers = bearer(role.value, region=CALLER_REGION, projects=[records["sibling"]],
                         kind="client" if role is Role.integration else "user",
                         scopes=["projects:read", "regions:read"])
        for (method, path), permission in OPERATIONS.items():
            for place, record_id in records.items():
                url = path.replace("{project_id}", record_id).replace("{code}", PLACES[place])
                if method == "GET":
                    r = await projects.get(url, headers=headers)
                else:
                    etag = (await projects.get(url)).headers["etag"]  # read as the admin
                    r = await projects.patch(url, json={"zone": f"{role.value}改"},
                                             headers={**headers, "If-Match": etag})
                want = expected(role.value, permission, place)
                got = r.status_code
                if want != got:
                    kind = "unexpected allow" if got < 400 <= want else "unexpected deny"
                    surprises.append((kind, role.value, method, path, place, want, got))
                outcomes["allow" if got < 400 else "deny"] += 1
                if got in (403, 404):
                    assert r.headers["content-type"] == "application/problem+json"
    assert outcomes["allow"] > 0
    assert outcomes["deny"] > 0
    assert surprises == [], f"{len(surprises)} surprises, e.g. {surprises[:5]}"


async def test_out_of_scope_is_indistinguishable_from_missing(projects: httpx.AsyncClient,
                                                              records: dict[str, str]) -> None:
    headers = bearer("street_officer", region=CALLER_REGION)
    hidden = await projects.get(f"/api/v1/projects/projects/{records['other_district']}", headers=headers)
    missing = await projects.get(f"/api/v1/projects/projects/{uuid.uuid4()}", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert {k: v for k, v in hidden.json().items() if k not in ("instance", "request_id")} == \
        {k: v for k, v in missing.json().items() if k not in ("instance", "request_id")}


@pytest.mark.parametrize(
    ("role", "region", "force", "visible"),
    [
        ("street_officer", CALLER_REGION, [], {"own", "child"}),
        ("district_commander", "430903000000", [], {"own", "child", "sibling", "parent"}),
        ("city_commander", "430900000000", [], set(PLACES)),
        ("auditor", "430902000000", [], {"other_district"}),
        ("taskforce_member", CALLER_REGION, ["sibling"], {"sibling"}),
        ("field_worker", None, [], set()),  # no region: sees nothing
    ],
)
async def test_lists_are_filtered_in_the_query(projects: httpx.AsyncClient, records: dict[str, str], role: str,
                                               region: str | None, force: list[str], visible: set[str]) -> None:
    headers = bearer(role, region=region, projects=[records[p] for p in force])
    seen: set[str] = set()
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = (await projects.get("/api/v1/projects/projects", params=params, headers=headers)).json()
        seen |= {p["id"] for p in page["items"]}
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == {records[p] for p in visible}


async def test_create_only_inside_scope(projects: httpx.AsyncClient, records: dict[str, str], count) -> None:
    headers = bearer("district_commander", region="430903000000")
    inside = await projects.post("/api/v1/projects/projects", headers=headers,
                                 json=project_body("IN-SCOPE-1", region_code="430903002000"))
    assert inside.status_code == 201
    outside = await projects.post("/api/v1/projects/projects", headers=headers,
                                  json=project_body("OUT-SCOPE-1", region_code="430902001000"))
    assert outside.status_code == 403
    assert outside.json()["code"] == "scope.region_outside"
    assert await count("projects.project", "code = 'OUT-SCOPE-1'") == 0
    moved = await projects.patch(f"/api/v1/projects/projects/{inside.json()['id']}", headers={
        **headers, "If-Match": inside.headers["etag"]}, json={"region_code": "430902001000"})
    assert moved.status_code == 403
