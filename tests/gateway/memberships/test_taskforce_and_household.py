"""Token claims that follow the projects service and the admin: a user's ``projects``
follow their task-force memberships (events of the projects feed, applied by the
gateway's consumer against its real database), and a resident's ``household``."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import httpx
import jwt
import pytest

from gateway.database import RECORDS
from gateway.demo import demo_household_id, demo_project_id
from gateway.memberships.service import BATCH_HANDLERS, HANDLERS, MEMBER_CHANGED
from kernel.db.session import Database
from kernel.events.consumer import Consumer, Subscription
from kernel.events.envelope import EventEnvelope
from tests.gateway.conftest import Headers, Login

USERS = "/api/v1/auth/users"
_positions = itertools.count(1)


def member_event(member_id: uuid.UUID, project_id: uuid.UUID, username: str | None, status: str,
                 version: int, event_id: uuid.UUID | None = None) -> EventEnvelope:
    today = dt.date.today()
    payload: dict[str, Any] = {
        "id": str(member_id), "project_id": str(project_id), "task_force_id": str(uuid.uuid4()),
        "person_id": str(uuid.uuid4()), "person_name": "郑海涛", "gateway_username": username, "title": "成员",
        "status": status, "joined_on": today.isoformat(),
        "left_on": today.isoformat() if status == "left" else None, "version": version,
    }
    return EventEnvelope(id=event_id or uuid.uuid4(), type=MEMBER_CHANGED, version=1,
                         aggregate_type="taskforce_member", aggregate_id=str(member_id),
                         occurred_at=dt.datetime.now(dt.UTC), project_id=project_id, payload=payload,
                         cursor=f"900.{next(_positions)}")


@pytest.fixture
def consumer(gdb: Database) -> Consumer:
    """The gateway's consumer of the projects feed, as its app builds it (the feed itself is
    not called: the test hands it the events the feed would return)."""
    return Consumer(gdb, RECORDS.inbox, Subscription("projects", "http://projects.invalid/events", HANDLERS,
                                                     BATCH_HANDLERS))


def projects_claim(tokens: dict[str, Any]) -> set[str]:
    return set(jwt.decode(tokens["access_token"], options={"verify_signature": False})["projects"])


async def test_a_member_s_next_token_carries_the_project(consumer: Consumer, login: Login,
                                                         gw: httpx.AsyncClient, sql) -> None:
    admin_set = {str(demo_project_id("YY-PG-2021-001")), str(demo_project_id("YY-CZC-2023-001"))}
    first = await login("heshan.taskforce_member")
    assert projects_claim(first) == admin_set

    project, member = uuid.uuid4(), uuid.uuid4()
    joined = member_event(member, project, "heshan.taskforce_member", "joined", 1)
    await consumer.apply([joined])
    assert projects_claim(await login("heshan.taskforce_member")) == admin_set | {str(project)}
    # A refreshed token carries it too.
    refreshed = await gw.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert projects_claim(refreshed.json()) == admin_set | {str(project)}
    # Someone else's token does not.
    assert str(project) not in projects_claim(await login("yiyang.taskforce_member"))

    await consumer.apply([joined])  # the same event again: applied once
    assert consumer.stats.duplicates == 1

    left = member_event(member, project, "heshan.taskforce_member", "left", 2)
    stale = member_event(member, project, "heshan.taskforce_member", "joined", 1)  # older version, arrives late
    await consumer.apply([left, stale])
    assert projects_claim(await login("heshan.taskforce_member")) == admin_set
    rows = await sql("SELECT current, version FROM gateway.taskforce_membership WHERE member_id = :m", m=member)
    assert rows == [{"current": False, "version": 2}]
    cursor = await sql("SELECT position FROM gateway.consumer_cursor WHERE producer = 'projects'")
    assert cursor == [{"position": stale.cursor}]


async def test_a_membership_follows_the_account_link(consumer: Consumer, login: Login) -> None:
    project, member = uuid.uuid4(), uuid.uuid4()
    await consumer.apply([member_event(member, project, "Yiyang.Taskforce_Member", "joined", 1)])
    assert str(project) in projects_claim(await login("yiyang.taskforce_member"))
    # The person is linked to another account: the membership moves with the link.
    await consumer.apply([member_event(member, project, "heshan.taskforce_member", "joined", 2)])
    assert str(project) not in projects_claim(await login("yiyang.taskforce_member"))
    assert str(project) in projects_claim(await login("heshan.taskforce_member"))
    # Unlinked: nobody's token carries it.
    await consumer.apply([member_event(member, project, None, "joined", 3)])
    assert str(project) not in projects_claim(await login("heshan.taskforce_member"))


async def test_other_events_are_passed_over(consumer: Consumer, login: Login, sql) -> None:
    other = member_event(uuid.uuid4(), uuid.uuid4(), "heshan.taskforce_member", "joined", 1)
    other = other.model_copy(update={"type": "projects.responsibility.changed"})
    await consumer.apply([other])
    assert await sql("SELECT * FROM gateway.taskforce_membership") == []


def household_claim(tokens: dict[str, Any]) -> str | None:
    value = jwt.decode(tokens["access_token"], options={"verify_signature": False}).get("household")
    return str(value) if value else None


async def test_demo_residents_carry_their_household(login: Login) -> None:
    for n in (1, 2):
        tokens = await login(f"qichelu.resident{n}")
        assert household_claim(tokens) == str(demo_household_id("YY-LJ-2024-002", n))
        assert tokens["user"]["household_id"] == str(demo_household_id("YY-LJ-2024-002", n))
    assert household_claim(await login("heshan.field_worker")) is None


async def test_admin_sets_a_resident_s_household(gw: httpx.AsyncClient, as_user: Headers, sql) -> None:
    admin = await as_user("heshan.admin")
    household = uuid.uuid4()
    staff = await gw.post(USERS, headers=admin, json={
        "username": "heshan.clerk", "display_name": "刘芳", "roles": ["field_worker"],
        "region_code": "430903001000", "household_id": str(household)})
    assert staff.status_code == 422
    assert [e["code"] for e in staff.json()["errors"]] == ["household_resident_only"]

    r = await gw.post(USERS, headers=admin, json={
        "username": "heshan.resident3", "display_name": "邓建华", "roles": ["resident"],
        "region_code": "430903001002", "household_id": str(household)})
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["household_id"] == str(household)
    other = uuid.uuid4()
    changed = await gw.patch(f"{USERS}/{user['id']}", headers={**admin, "If-Match": '"1"'},
                             json={"household_id": str(other)})
    assert changed.status_code == 200, changed.text
    assert changed.json()["household_id"] == str(other)
    promoted = await gw.patch(f"{USERS}/{user['id']}", headers={**admin, "If-Match": '"2"'},
                              json={"roles": ["street_officer"]})
    assert promoted.status_code == 422  # a staff account cannot keep a household
    cleared = await gw.patch(f"{USERS}/{user['id']}", headers={**admin, "If-Match": '"2"'},
                             json={"household_id": None})
    assert cleared.json()["household_id"] is None
    audit = await sql("SELECT before, after FROM gateway.audit_log WHERE action = 'user.update' "
                      "AND entity_id = :id ORDER BY id", id=user["id"])
    assert audit[0]["after"] == {"household_id": str(other)}
    assert audit[-1]["after"] == {"household_id": None}
