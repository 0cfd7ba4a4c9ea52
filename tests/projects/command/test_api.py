"""The command structure: units, people (phones encrypted and masked), positions, the
four-level responsibility chain with household shares, and task-force membership —
with their rules, concurrency, idempotency, audit and events."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from kernel import calendar
from tests.projects.conftest import project_body
from tests.support.auth import bearer

P = "/api/v1/projects"


@pytest.fixture
async def project(projects: httpx.AsyncClient, regions: list[str]) -> dict[str, Any]:
    r = await projects.post(f"{P}/projects", json=project_body(target_households=30))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _unit(projects: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    r = await projects.post(f"{P}/command-units", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def _person(projects: httpx.AsyncClient, name: str, region: str = "430903001000", **body: Any) -> dict[str, Any]:
    r = await projects.post(f"{P}/people", json={"name": name, "region_code": region, **body})
    assert r.status_code == 201, r.text
    return dict(r.json())


def field_codes(r: httpx.Response) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in r.json().get("errors", [])]


async def test_units_follow_their_kind_and_region(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    city = await _unit(projects, kind="city_command", name="益阳市城市更新指挥部", region_code="430900000000")
    assert city["kind_label"] == "市指挥部/领导小组"
    district = await _unit(projects, kind="district_command", name="赫山区指挥部", region_code="430903000000",
                           parent_id=city["id"])
    dept = await _unit(projects, kind="department", name="赫山区住房和城乡建设局", region_code="430903000000",
                       function="housing", parent_id=district["id"])
    assert dept["function_label"] == "住房和城乡建设"

    wrong_level = await projects.post(f"{P}/command-units", json={
        "kind": "district_command", "name": "桃花仑指挥部", "region_code": "430903001000"})
    assert wrong_level.status_code == 422
    assert field_codes(wrong_level) == [("body.region_code", "region_level")]
    function_elsewhere = await projects.post(f"{P}/command-units", json={
        "kind": "implementing_company", "name": "城投", "region_code": "430900000000", "function": "finance"})
    assert field_codes(function_elsewhere) == [("body.function", "function_not_allowed")]
    unknown_region = await projects.post(f"{P}/command-units", json={
        "kind": "department", "name": "某局", "region_code": "430999000000"})
    assert unknown_region.status_code == 422
    assert unknown_region.json()["code"] == "region.unknown"
    agency_under_dept = await projects.post(f"{P}/command-units", json={
        "kind": "expropriation_agency", "name": "征收事务所", "region_code": "430903000000", "parent_id": dept["id"]})
    assert field_codes(agency_under_dept) == [("body.parent_id", "parent_kind")]
    outside_parent = await projects.post(f"{P}/command-units", json={
        "kind": "department", "name": "资阳区财政局", "region_code": "430902000000", "parent_id": district["id"]})
    assert field_codes(outside_parent) == [("body.parent_id", "parent_region")]
    project_on_dept = await projects.post(f"{P}/command-units", json={
        "kind": "department", "name": "x", "region_code": "430903000000", "project_id": str(uuid.uuid4())})
    assert field_codes(project_on_dept) == [("body.project_id", "project_not_allowed")]
    bad_kind = await projects.post(f"{P}/command-units", json={"kind": "army", "name": "x",
                                                               "region_code": "430903000000"})
    assert bad_kind.status_code == 422
    assert await count("projects.command_unit") == 3
    assert await count("projects.outbox_event", "type = 'projects.command_unit.changed'") == 3
    assert await count("projects.audit_log", "action = 'command_unit.create'") == 3


async def test_unit_writes_keep_to_scope(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    commander = bearer("district_commander", region="430903000000")
    outside = await projects.post(f"{P}/command-units", headers=commander, json={
        "kind": "district_command", "name": "资阳区指挥部", "region_code": "430902000000"})
    assert outside.status_code == 403
    assert outside.json()["code"] == "scope.region_outside"
    officer = await projects.post(f"{P}/command-units", headers=bearer("street_officer", region="430903001000"),
                                  json={"kind": "sub_district", "name": "桃花仑街道", "region_code": "430903001000"})
    assert officer.status_code == 403
    assert await count("projects.command_unit") == 0


async def test_unit_update_needs_the_current_version(projects: httpx.AsyncClient, regions: list[str]) -> None:
    unit = await _unit(projects, kind="sub_district", name="桃花仑街道办事处", region_code="430903001000")
    url = f"{P}/command-units/{unit['id']}"
    assert (await projects.patch(url, json={"name": "x"})).status_code == 428
    ok = await projects.patch(url, json={"name": "桃花仑街道党工委", "active": False}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.headers["etag"] == '"2"'
    assert ok.json()["active"] is False
    assert (await projects.patch(url, json={"name": "y"}, headers={"If-Match": '"1"'})).status_code == 412
    null_name = await projects.patch(url, json={"name": None}, headers={"If-Match": '"2"'})
    assert null_name.status_code == 422
    moved_level = await projects.patch(url, json={"region_code": "430903000000"}, headers={"If-Match": '"2"'})
    assert field_codes(moved_level) == [("body.region_code", "region_level")]


async def test_one_task_force_per_project(projects: httpx.AsyncClient, project: dict[str, Any], count) -> None:
    r = await projects.post(f"{P}/command-units", json={"kind": "task_force", "name": "桃花仑片区棚改工作专班",
                                                       "project_id": project["id"]},
                            headers={"Idempotency-Key": "taskforce-key-1"})
    assert r.status_code == 201, r.text
    force = r.json()
    assert force["region_code"] == project["region_code"]
    replay = await projects.post(f"{P}/command-units", json={"kind": "task_force", "name": "桃花仑片区棚改工作专班",
                                                            "project_id": project["id"]},
                                 headers={"Idempotency-Key": "taskforce-key-1"})
    assert replay.status_code == 201
    assert replay.json() == force
    again = await projects.post(f"{P}/command-units", json={"kind": "task_force", "name": "第二专班",
                                                           "project_id": project["id"]})
    assert again.status_code == 409
    assert again.json()["code"] == "command.task_force_exists"
    no_project = await projects.post(f"{P}/command-units", json={"kind": "task_force", "name": "x"})
    assert field_codes(no_project) == [("body.project_id", "project_required")]
    hidden = await projects.post(f"{P}/command-units", headers=bearer("district_commander", region="430902000000"),
                                 json={"kind": "task_force", "name": "x", "project_id": project["id"]})
    assert field_codes(hidden) == [("body.project_id", "unknown_project")]
    read = (await projects.get(f"{P}/projects/{project['id']}")).json()
    assert read["task_force_id"] == force["id"]
    assert read["version"] == 2
    assert await count("projects.command_unit", "kind = 'task_force'") == 1

    # The force moves with its project.
    moved = await projects.patch(f"{P}/projects/{project['id']}", json={"region_code": "430903002000"},
                                 headers={"If-Match": '"2"'})
    assert moved.status_code == 200, moved.text
    assert (await projects.get(f"{P}/command-units/{force['id']}")).json()["region_code"] == "430903002000"


async def test_people_phones_are_encrypted_and_masked(projects: httpx.AsyncClient, regions: list[str], count,
                                                      db) -> None:
    person = await _person(projects, "刘建军", phone="+86 139-0737-1234", gateway_username="Heshan.Taskforce_Member")
    assert person["phone"] == "139****1234"
    assert person["gateway_username"] == "heshan.taskforce_member"
    assert await count("projects.person", "phone_enc LIKE '%13907371234%' OR phone_enc IS NULL") == 0
    assert await count("projects.audit_log", "after::text LIKE '%13907371234%'") == 0
    found = (await projects.get(f"{P}/people",
                                params={"phone": "13907371234", "purpose": "核实联系方式"})).json()["items"]
    assert [p["id"] for p in found] == [person["id"]]
    assert (await projects.get(f"{P}/people", params={"name": "建军"})).json()["items"][0]["id"] == person["id"]

    bad = await projects.post(f"{P}/people", json={"name": "x", "region_code": "430903001000", "phone": "12345678901"})
    assert bad.status_code == 422
    assert field_codes(bad) == [("body.phone", "phone_format")]
    taken = await projects.post(f"{P}/people", json={"name": "y", "region_code": "430903001000",
                                                     "gateway_username": "heshan.taskforce_member"})
    assert taken.status_code == 409
    assert taken.json()["code"] == "command.gateway_username_taken"
    bad_username = await projects.post(f"{P}/people", json={"name": "z", "region_code": "430903001000",
                                                            "gateway_username": "有 空格"})
    assert bad_username.status_code == 422

    changed = await projects.patch(f"{P}/people/{person['id']}", json={"phone": "13907375678"},
                                   headers={"If-Match": '"1"'})
    assert changed.json()["phone"] == "139****5678"
    assert await count("projects.audit_log", "action = 'person.update' AND after->>'phone' = '139****5678'") == 1
    # Every change is announced, and no event carries a phone number, whole or masked.
    assert await count("projects.outbox_event", "type = 'projects.person.changed'") == 2
    assert await count("projects.outbox_event", "type = 'projects.person.changed' AND payload::text LIKE '%139%'") == 0


async def test_a_whole_phone_only_by_an_audited_reveal(projects: httpx.AsyncClient, regions: list[str], count,
                                                      db) -> None:
    person = await _person(projects, "周卫东", phone="13907374321")
    nobody = await _person(projects, "无电话人员")
    url = f"{P}/people/{person['id']}/reveal"
    purpose = "通知参加周调度会，核实联系方式"
    r = await projects.post(url, json={"purpose": purpose, "fields": ["phone"]})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    assert r.json() == {"id": person["id"], "phone": "13907374321"}
    # The trail keeps who asked and why, never the number; nothing else changed.
    assert await count("projects.audit_log", f"action = 'person.reveal' AND entity_id = '{person['id']}' "
                                             f"AND after->>'purpose' = '{purpose}'") == 1
    assert await count("projects.audit_log", "after::text LIKE '%13907374321%'") == 0
    assert (await projects.get(f"{P}/people/{person['id']}")).json()["phone"] == "139****4321"
    assert (await projects.post(f"{P}/people/{nobody['id']}/reveal",
                                json={"purpose": purpose, "fields": ["phone"]})).json()["phone"] is None

    for body in ({"fields": ["phone"]}, {"purpose": "查", "fields": ["phone"]},
                 {"purpose": purpose, "fields": ["id_number"]}, {"purpose": purpose, "fields": []}):
        refused = await projects.post(url, json=body)
        assert refused.status_code == 422, body
    commander = bearer("district_commander", region="430903000000")
    denied = await projects.post(url, json={"purpose": purpose, "fields": ["phone"]}, headers=commander)
    assert denied.status_code == 403
    assert denied.json()["code"] == "auth.forbidden"
    hidden = await projects.post(url, json={"purpose": purpose, "fields": ["phone"]},
                                 headers=bearer("admin", region="430902000000"))
    assert hidden.status_code == 404
    assert await count("projects.audit_log", "action = 'person.reveal'") == 2


async def test_positions_current_and_ended(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    unit = await _unit(projects, kind="sub_district", name="桃花仑街道", region_code="430903001000")
    person = await _person(projects, "王志刚")
    today = calendar.today()
    r = await projects.post(f"{P}/positions", json={"person_id": person["id"], "unit_id": unit["id"],
                                                    "title": "党工委书记", "started_on": "2024-03-01"})
    assert r.status_code == 201, r.text
    assert r.json()["current"] is True
    backwards = await projects.patch(f"{P}/positions/{r.json()['id']}", json={"ended_on": "2024-01-01"},
                                     headers={"If-Match": '"1"'})
    assert field_codes(backwards) == [("body.ended_on", "dates_order")]
    ended = await projects.patch(f"{P}/positions/{r.json()['id']}", json={"ended_on": today.isoformat()},
                                 headers={"If-Match": '"1"'})
    assert ended.json()["current"] is False
    assert await count("projects.outbox_event", "type = 'projects.position.changed'") == 2
    assert await count("projects.outbox_event", "type = 'projects.position.changed' "
                                                "AND payload->>'ended_on' = :d", d=today.isoformat()) == 1
    assert (await projects.get(f"{P}/positions", params={"unit_id": unit["id"], "current": True})).json()["items"] == []
    assert len((await projects.get(f"{P}/positions", params={"person_id": person["id"]})).json()["items"]) == 1
    unknown = await projects.post(f"{P}/positions", json={"person_id": str(uuid.uuid4()), "unit_id": unit["id"],
                                                          "title": "x"})
    assert field_codes(unknown) == [("body.person_id", "unknown_person")]


async def test_the_four_level_chain(projects: httpx.AsyncClient, project: dict[str, Any], count) -> None:
    url = f"{P}/projects/{project['id']}/responsibility"
    leader = await _person(projects, "曾国华", region="430903000000")
    secretary = await _person(projects, "谭丽娟")
    head = await _person(projects, "周建平", region="430903000000")
    staff_a, staff_b = await _person(projects, "李明"), await _person(projects, "陈芳")
    empty = (await projects.get(url)).json()
    assert empty["complete"] is False
    assert empty["missing"] == ["lead_leader", "township_secretary", "department_head", "staff"]

    assert (await projects.post(url, json={"level": "lead_leader", "person_id": leader["id"]})).status_code == 201
    second = await projects.post(url, json={"level": "lead_leader", "person_id": secretary["id"]})
    assert second.status_code == 409
    assert second.json()["code"] == "command.level_taken"
    share_on_leader = await projects.post(url, json={"level": "township_secretary", "person_id": secretary["id"],
                                                     "household_count": 3})
    assert field_codes(share_on_leader) == [("body.household_count", "share_staff_only")]
    await projects.post(url, json={"level": "township_secretary", "person_id": secretary["id"]})
    await projects.post(url, json={"level": "department_head", "person_id": head["id"]})

    households = [uuid.uuid4() for _ in range(3)]
    a = await projects.post(url, json={"level": "staff", "person_id": staff_a["id"],
                                       "household_ids": [str(h) for h in households]})
    assert a.status_code == 201, a.text
    assert a.json()["household_count"] == 3
    twice = await projects.post(url, json={"level": "staff", "person_id": staff_b["id"],
                                           "household_ids": [str(households[0]), str(uuid.uuid4())]})
    assert twice.status_code == 409
    assert twice.json()["code"] == "command.households_assigned_twice"
    assert twice.json()["household_ids"] == [str(households[0])]
    mismatch = await projects.post(url, json={"level": "staff", "person_id": staff_b["id"], "household_count": 5,
                                              "household_ids": [str(uuid.uuid4())]})
    assert field_codes(mismatch) == [("body.household_count", "count_mismatch")]
    too_many = await projects.post(url, json={"level": "staff", "person_id": staff_b["id"], "household_count": 28})
    assert too_many.status_code == 409
    assert too_many.json()["code"] == "command.shares_exceed_target"
    b = await projects.post(url, json={"level": "staff", "person_id": staff_b["id"], "household_count": 27})
    assert b.status_code == 201
    same_staff = await projects.post(url, json={"level": "staff", "person_id": staff_b["id"], "household_count": 0})
    assert same_staff.json()["code"] == "command.staff_assigned"

    chain = (await projects.get(url)).json()
    assert chain["complete"] is True
    assert chain["lead_leader"]["person_name"] == "曾国华"
    assert chain["lead_leader"]["level_label"] == "区级领导挂帅"
    assert chain["households_assigned"] == 30
    assert [s["person_name"] for s in chain["staff"]] == ["李明", "陈芳"]

    # A renamed person is renamed in the chain.
    await projects.patch(f"{P}/people/{leader['id']}", json={"name": "曾国桦"}, headers={"If-Match": '"1"'})
    assert (await projects.get(url)).json()["lead_leader"]["person_name"] == "曾国桦"

    b_url = f"{P}/responsibilities/{b.json()['id']}"
    grow = await projects.patch(b_url, json={"household_count": 28}, headers={"If-Match": '"1"'})
    assert grow.json()["code"] == "command.shares_exceed_target"
    shrink = await projects.patch(b_url, json={"household_count": 20}, headers={"If-Match": '"1"'})
    assert shrink.status_code == 200
    assert (await projects.delete(b_url)).status_code == 428
    assert (await projects.delete(b_url, headers={"If-Match": '"1"'})).status_code == 412
    assert (await projects.delete(b_url, headers={"If-Match": '"2"'})).status_code == 204
    assert (await projects.get(b_url)).status_code == 404
    assert await count("projects.outbox_event", "type = 'projects.responsibility.changed'") == 7
    assert await count("projects.outbox_event",
                       "type = 'projects.responsibility.changed' AND payload->>'removed' = 'true'") == 1
    assert await count("projects.audit_log", "action = 'responsibility.delete'") == 1


async def test_task_force_membership(projects: httpx.AsyncClient, project: dict[str, Any], count, db) -> None:
    force = await _unit(projects, kind="task_force", name="专班", project_id=project["id"])
    dept = await _unit(projects, kind="department", name="住建局", region_code="430903000000")
    person = await _person(projects, "吴晓燕", gateway_username="yiyang.taskforce_member")
    members = f"{P}/task-forces/{force['id']}/members"
    not_a_force = await projects.post(f"{P}/task-forces/{dept['id']}/members", json={"person_id": person["id"]})
    assert not_a_force.status_code == 404
    future = await projects.post(members, json={"person_id": person["id"], "joined_on": "2999-01-01"})
    assert field_codes(future) == [("body.joined_on", "future_date")]
    r = await projects.post(members, json={"person_id": person["id"], "title": "副组长"})
    assert r.status_code == 201, r.text
    member = r.json()
    assert member["current"] is True
    assert member["task_force_id"] == force["id"]
    assert member["gateway_username"] == "yiyang.taskforce_member"
    dup = await projects.post(members, json={"person_id": person["id"]})
    assert dup.json()["code"] == "command.already_member"

    m_url = f"{P}/taskforce-members/{member['id']}"
    future_leave = await projects.patch(m_url, json={"left_on": "2999-01-01"}, headers={"If-Match": '"1"'})
    assert field_codes(future_leave) == [("body.left_on", "future_date")]
    left = await projects.patch(m_url, json={"left_on": calendar.today().isoformat()}, headers={"If-Match": '"1"'})
    assert left.status_code == 200, left.text
    assert left.json()["current"] is False
    after = await projects.patch(m_url, json={"title": "组长"}, headers={"If-Match": '"2"'})
    assert after.json()["code"] == "command.membership_ended"
    assert (await projects.get(members, params={"current": True})).json()["items"] == []
    rejoined = await projects.post(members, json={"person_id": person["id"]})
    assert rejoined.status_code == 201

    events = await _events(db, "projects.taskforce.member.changed")
    assert [(e["status"], e["gateway_username"], e["project_id"]) for e in events] == [
        ("joined", "yiyang.taskforce_member", project["id"]),
        ("left", "yiyang.taskforce_member", project["id"]),
        ("joined", "yiyang.taskforce_member", project["id"]),
    ]
    # A new account link moves the current membership (announced again).
    await projects.patch(f"{P}/people/{person['id']}", json={"gateway_username": "heshan.taskforce_member"},
                         headers={"If-Match": '"1"'})
    events = await _events(db, "projects.taskforce.member.changed")
    assert events[-1]["gateway_username"] == "heshan.taskforce_member"
    assert events[-1]["id"] == rejoined.json()["id"]
    assert events[-1]["version"] == 2


async def _events(db, type_: str) -> list[dict[str, Any]]:
    from sqlalchemy import text

    from kernel.auth.principal import DataScope
    from kernel.db.session import apply_scope

    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        rows = await session.execute(text("SELECT payload FROM projects.outbox_event WHERE type = :t ORDER BY id"),
                                     {"t": type_})
        return [dict(r[0]) for r in rows]


async def test_a_lookup_by_whole_phone_is_a_reveal(projects: httpx.AsyncClient, regions: list[str], count,
                                                  db) -> None:
    """Finding a person by exact phone tells whether a number is theirs, i.e. reveals it: a field worker
    (no ``pii.reveal``) cannot enumerate the masked digits, and an admin's lookup is audited with the
    mask and the purpose, never the number."""
    person = await _person(projects, "熊志强", phone="13800700302")
    worker = bearer("field_worker", region="430903001000")
    for phone in ("13807000302", "13800700302"):
        refused = await projects.get(f"{P}/people", params={"phone": phone, "purpose": "核实身份"}, headers=worker)
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "auth.forbidden"
    # A purpose is required, as for any reveal.
    missing = await projects.get(f"{P}/people", params={"phone": "13800700302"})
    assert missing.status_code == 422, missing.text
    assert field_codes(missing) == [("query.purpose", "purpose_required")]
    purpose = "核实来电人员身份"
    admin = bearer("admin", region="430000000000", subject="user:lookup-admin")
    found = await projects.get(f"{P}/people", params={"phone": "13800700302", "purpose": purpose}, headers=admin)
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()["items"]] == [person["id"]]
    assert found.headers["cache-control"] == "no-store"
    assert await count("projects.audit_log", "action = 'person.lookup_by_phone' AND actor = 'user:lookup-admin' "
                                             f"AND after->>'phone' = '138****0302' AND after->>'purpose' = '{purpose}'"
                                             f" AND after->'found' = '[\"{person['id']}\"]'::jsonb") == 1
    assert await count("projects.audit_log", "after::text LIKE '%13800700302%'") == 0
    # Listing without the phone filter stays open to the field worker (masked).
    listed = await projects.get(f"{P}/people", headers=worker)
    assert listed.status_code == 200
    assert {p["phone"] for p in listed.json()["items"]} == {"138****0302"}
