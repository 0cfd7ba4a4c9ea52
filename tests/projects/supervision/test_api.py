"""Supervision items (督办): opened at meetings, progress reports, closure with a result, and the published
result list (督办结果通报)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from kernel import calendar
from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from services.projects.supervision.models import SupervisionItem
from tests.projects.conftest import project_body
from tests.support.auth import bearer

TODAY = calendar.today()
DAY = dt.timedelta(days=1)
P = "/api/v1/projects"
ITEMS = f"{P}/supervision/items"


@pytest.fixture
async def project(projects: httpx.AsyncClient, regions: list[str]) -> str:
    r = await projects.post(f"{P}/projects", json=project_body("SUP-001"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def item_body(project: str, **over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "project_id": project,
        "source": "weekly_bulletin",
        "meeting_date": str(TODAY - 2 * DAY),
        "meeting_title": "全区棚改征拆工作第47周通报",
        "subject": "桃花仑片区本周零签约，限期提交攻坚方案",
        "detail": "连续两周零签约，由街道党工委书记牵头制定攻坚方案，报区指挥部。",
        "deadline": str(TODAY + 5 * DAY),
        "owner_name": "陈志强",
        "owner_unit_name": "桃花仑街道党工委",
    }
    body.update(over)
    return body


async def open_item(projects: httpx.AsyncClient, project: str, **over: object) -> dict[str, Any]:
    r = await projects.post(ITEMS, json=item_body(project, **over))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_open_report_close(projects: httpx.AsyncClient, project: str, count) -> None:
    r = await projects.post(ITEMS, json=item_body(project), headers={"Idempotency-Key": "sup-open-000001"})
    assert r.status_code == 201, r.text
    item = r.json()
    assert r.headers["location"] == f"{ITEMS}/{item['id']}"
    assert item["source_label"] == "周通报"
    assert item["status"] == "open"
    assert item["status_label"] == "督办中"
    assert item["overdue"] is False
    assert item["progress"] == 0
    assert item["problem_id"] is None
    replay = await projects.post(ITEMS, json=item_body(project), headers={"Idempotency-Key": "sup-open-000001"})
    assert replay.json() == item
    assert await count("projects.supervision_item") == 1

    url = f"{ITEMS}/{item['id']}"
    rep = await projects.post(f"{url}/reports", json={"note": "攻坚方案已报区指挥部，本周签约 6 户", "progress": 60})
    assert rep.status_code == 201, rep.text
    assert (await projects.post(f"{url}/reports", json={"note": "  "})).status_code == 422
    assert (await projects.post(f"{url}/reports", json={"note": "x", "progress": 150})).status_code == 422
    reports = (await projects.get(f"{url}/reports")).json()["items"]
    assert [x["progress"] for x in reports] == [60]
    got = (await projects.get(url)).json()
    assert got["progress"] == 60
    assert got["version"] == 2

    patched = await projects.patch(url, json={"deadline": str(TODAY + 8 * DAY)}, headers={"If-Match": '"2"'})
    assert patched.status_code == 200, patched.text
    assert patched.json()["deadline"] == str(TODAY + 8 * DAY)
    bad = await projects.patch(url, json={"deadline": str(TODAY - 10 * DAY)}, headers={"If-Match": '"3"'})
    assert bad.status_code == 422

    no_result = await projects.post(f"{url}/close", json={"result": " "}, headers={"If-Match": '"3"'})
    assert no_result.status_code == 422
    assert no_result.json()["errors"][0]["field"] == "body.result"
    assert (await projects.post(f"{url}/close", json={"result": "x"})).status_code == 428
    assert (await projects.post(f"{url}/close", json={"result": "x"}, headers={"If-Match": '"1"'})).status_code == 412
    closed = await projects.post(f"{url}/close", headers={"If-Match": '"3"'},
                                 json={"result": "本周签约 14 户，连续零签约局面已扭转"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    assert closed.json()["closed_on"] == str(TODAY)
    assert closed.json()["progress"] == 100
    again = await projects.post(f"{url}/close", json={"result": "x"}, headers={"If-Match": '"4"'})
    assert again.status_code == 409
    assert again.json()["code"] == "supervision.closed"
    assert (await projects.post(f"{url}/reports", json={"note": "x"})).status_code == 409
    changes = await count("projects.outbox_event", "type = 'projects.supervision.changed'")
    assert changes == 4  # opened, progress, changed, closed


async def test_bad_input(projects: httpx.AsyncClient, project: str, count) -> None:
    cases = [
        (item_body(project, source="overdue_problem"), "supervision.invalid"),  # system only
        (item_body(project, source="town_hall"), None),
        (item_body(project, meeting_date=str(TODAY + DAY)), "supervision.invalid"),
        (item_body(project, deadline=str(TODAY - 5 * DAY)), "supervision.invalid"),
        (item_body(project, subject=""), None),
        ({**item_body(project), "status": "closed"}, None),
    ]
    for body, code in cases:
        r = await projects.post(ITEMS, json=body)
        assert r.status_code == 422, (body, r.text)
        if code:
            assert r.json()["code"] == code
    assert (await projects.post(ITEMS, json=item_body(str(uuid.uuid4())))).status_code == 404
    assert (await projects.get(f"{ITEMS}/{uuid.uuid4()}")).status_code == 404
    assert await count("projects.supervision_item") == 0


async def test_lists_and_filters(projects: httpx.AsyncClient, project: str) -> None:
    await open_item(projects, project, subject="日调度交办", source="daily_dispatch")
    late = await open_item(projects, project, subject="旬协调交办", source="ten_day_coordination",
                           meeting_date=str(TODAY - 20 * DAY), deadline=str(TODAY - DAY))

    async def subjects(**params: str) -> list[str]:
        r = await projects.get(ITEMS, params=params)
        assert r.status_code == 200, r.text
        return [i["subject"] for i in r.json()["items"]]

    assert await subjects() == ["旬协调交办", "日调度交办"]  # by deadline
    assert await subjects(source="daily_dispatch") == ["日调度交办"]
    assert await subjects(overdue="true") == ["旬协调交办"]
    assert await subjects(project_id=project, status="open") == ["旬协调交办", "日调度交办"]
    assert await subjects(region_prefix="430902") == []
    assert (await projects.get(f"{ITEMS}/{late['id']}")).json()["overdue"] is True
    assert (await projects.get(ITEMS, params={"project_id": str(uuid.uuid4())})).status_code == 404


async def test_published_results_by_period(projects: httpx.AsyncClient, project: str, db: Database) -> None:
    early = await open_item(projects, project, subject="早办结", meeting_date=str(TODAY - 30 * DAY),
                            deadline=str(TODAY - 20 * DAY))
    recent = await open_item(projects, project, subject="近期办结", meeting_date=str(TODAY - 10 * DAY))
    pending = await open_item(projects, project, subject="未办结")
    r1 = await projects.post(f"{ITEMS}/{early['id']}/close", headers={"If-Match": '"1"'},
                             json={"result": "已完成房源调剂", "closed_on": str(TODAY - 25 * DAY)})
    assert r1.status_code == 200, r1.text
    r2 = await projects.post(f"{ITEMS}/{recent['id']}/close", headers={"If-Match": '"1"'},
                             json={"result": "资金已拨付到位"})
    assert r2.status_code == 200, r2.text
    future = await projects.post(f"{ITEMS}/{pending['id']}/close", headers={"If-Match": '"1"'},
                                 json={"result": "x", "closed_on": str(TODAY + DAY)})
    assert future.status_code == 422
    before_meeting = await projects.post(f"{ITEMS}/{pending['id']}/close", headers={"If-Match": "*"},
                                         json={"result": "x", "closed_on": str(TODAY - 30 * DAY)})
    assert before_meeting.status_code == 422

    async def results(**params: str) -> list[tuple[str, str]]:
        r = await projects.get(f"{P}/supervision/results", params=params)
        assert r.status_code == 200, r.text
        return [(i["subject"], i["result"]) for i in r.json()["items"]]

    assert await results() == [("早办结", "已完成房源调剂"), ("近期办结", "资金已拨付到位")]
    assert await results(**{"from": str(TODAY - 7 * DAY), "to": str(TODAY)}) == [("近期办结", "资金已拨付到位")]
    assert await results(to=str(TODAY - 20 * DAY)) == [("早办结", "已完成房源调剂")]
    assert await results(source="daily_dispatch") == []
    backwards = await projects.get(f"{P}/supervision/results", params={"from": str(TODAY), "to": str(TODAY - DAY)})
    assert backwards.status_code == 422

    # A task-force member of another project sees none of them.
    other = bearer("taskforce_member", region=None, projects=[str(uuid.uuid4())])
    assert (await projects.get(f"{P}/supervision/results", headers=other)).json()["items"] == []
    # The database answers the same even without the query's scope filter (row-level security).
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope(region_prefix="430902", project_ids=None))
        rows = (await session.execute(update(SupervisionItem).values(detail="x").returning(SupervisionItem.id))).all()
        assert rows == []
