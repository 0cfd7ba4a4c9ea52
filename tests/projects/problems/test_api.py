"""The problem ledger (问题清单): register (挂号), progress, change, close (销号) only with a note and evidence,
reopen, history, the 10-day agenda, and overdue problems escalated to supervision exactly once per episode."""

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
from services.projects.problems.models import ProblemRecord
from services.projects.problems.service import escalate_overdue_problems
from tests.projects.conftest import project_body

TODAY = calendar.today()
DAY = dt.timedelta(days=1)
P = "/api/v1/projects"


@pytest.fixture
async def project(projects: httpx.AsyncClient, regions: list[str]) -> str:
    r = await projects.post(f"{P}/projects", json=project_body("PROB-001"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def problem_body(**over: object) -> dict[str, object]:
    body: dict[str, object] = {
        "category": "compensation_dispute",
        "title": "3 户对房屋评估结果有异议",
        "description": "桃花仑社区 3 组王某某等 3 户认为评估单价低于周边二手房成交价，拒绝签约。",
        "measure": "组织评估机构复核，街道班子成员包户做工作，必要时申请专家鉴定。",
        "deadline": str(TODAY + 10 * DAY),
        "owner_name": "李红梅",
        "owner_unit_name": "桃花仑街道办事处",
    }
    body.update(over)
    return body


async def register(projects: httpx.AsyncClient, project: str, **over: object) -> dict[str, Any]:
    r = await projects.post(f"{P}/projects/{project}/problems", json=problem_body(**over))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def escalate(db: Database, today: dt.date) -> int:
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope.everything())
        return await escalate_overdue_problems(session, today)


async def backdate(db: Database, problem_id: str, deadline: dt.date, registered_on: dt.date) -> None:
    """A problem registered long ago (the API refuses a deadline in the past at registration)."""
    async with db.sessionmaker() as session, session.begin():
        await apply_scope(session, DataScope.everything())
        await session.execute(update(ProblemRecord).where(ProblemRecord.id == uuid.UUID(problem_id)).values(
            deadline=deadline, registered_on=registered_on))


async def test_register_read_and_history(projects: httpx.AsyncClient, project: str, count) -> None:
    r = await projects.post(f"{P}/projects/{project}/problems", json=problem_body(),
                            headers={"Idempotency-Key": "problem-reg-0001"})
    assert r.status_code == 201, r.text
    problem = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{P}/problems/{problem['id']}"
    assert problem["category_label"] == "补偿争议"
    assert problem["status"] == "open"
    assert problem["status_label"] == "未销号"
    assert problem["registered_on"] == str(TODAY)
    assert problem["overdue"] is False
    assert problem["days_to_deadline"] == 10
    assert problem["episode"] == 1
    replay = await projects.post(f"{P}/projects/{project}/problems", json=problem_body(),
                                 headers={"Idempotency-Key": "problem-reg-0001"})
    assert replay.json() == problem
    assert await count("projects.problem") == 1
    assert (await projects.get(f"{P}/problems/{problem['id']}")).json() == problem
    note = await projects.post(f"{P}/problems/{problem['id']}/progress", json={"note": "已完成 2 户复核，1 户同意签约"})
    assert note.status_code == 201, note.text
    assert note.json()["kind_label"] == "进展"
    history = (await projects.get(f"{P}/problems/{problem['id']}/history")).json()["items"]
    assert [h["kind"] for h in history] == ["registered", "progress"]
    assert history[1]["note"] == "已完成 2 户复核，1 户同意签约"
    assert await count("projects.outbox_event", "type = 'projects.problem.changed'") == 2


async def test_bad_input(projects: httpx.AsyncClient, project: str, count) -> None:
    cases = [
        (problem_body(category="weather"), None),
        (problem_body(title=""), None),
        (problem_body(deadline=str(TODAY - DAY)), "problem.invalid"),
        (problem_body(registered_on=str(TODAY + DAY), deadline=str(TODAY + 5 * DAY)), "problem.invalid"),
        ({**problem_body(), "status": "closed"}, None),
        ({k: v for k, v in problem_body().items() if k != "deadline"}, None),
    ]
    for body, code in cases:
        r = await projects.post(f"{P}/projects/{project}/problems", json=body)
        assert r.status_code == 422, (body, r.text)
        if code:
            assert r.json()["code"] == code
    assert (await projects.post(f"{P}/projects/{uuid.uuid4()}/problems", json=problem_body())).status_code == 404
    assert (await projects.get(f"{P}/problems/{uuid.uuid4()}")).status_code == 404
    assert await count("projects.problem") == 0


async def test_close_needs_a_note_and_evidence(projects: httpx.AsyncClient, project: str, count) -> None:
    problem = await register(projects, project)
    url = f"{P}/problems/{problem['id']}/close"
    v1 = {"If-Match": '"1"'}
    refused = [
        {"note": "已全部签约", "evidence": []},
        {"note": "", "evidence": [{"reference": "桃花仑片区协调会纪要〔2026〕第12期"}]},
        {"note": "   ", "evidence": [{"reference": "x"}]},
        {"note": "已全部签约", "evidence": [{"document_id": str(uuid.uuid4())}]},
    ]
    for body in refused:
        r = await projects.post(url, json=body, headers=v1)
        assert r.status_code == 422, (body, r.text)
        assert r.json()["code"] == "problem.evidence_required"
        assert r.json()["title"] == "销号须填写销号说明并提供至少一项佐证材料（上传附件或文件依据）"
    no_items = await projects.post(url, json={"note": "已全部签约", "evidence": []}, headers=v1)
    assert {e["field"] for e in no_items.json()["errors"]} == {"body.evidence"}
    both = await projects.post(url, headers=v1, json={
        "note": "x", "evidence": [{"reference": "a", "document_id": str(uuid.uuid4())}]})
    assert both.status_code == 422
    assert (await projects.post(url, json={"note": "x", "evidence": [{"reference": "a"}]})).status_code == 428
    assert await count("projects.problem", "status = 'closed'") == 0
    assert await count("projects.problem_evidence") == 0

    upload = await projects.post(f"{P}/problems/{problem['id']}/documents",
                                 files={"file": ("签约协议汇总.pdf", "三户补偿协议已签订".encode(), "application/pdf")})
    assert upload.status_code == 201, upload.text
    doc = upload.json()
    assert doc["problem_id"] == problem["id"]
    assert doc["task_id"] is None
    closed = await projects.post(url, headers=v1, json={
        "note": "经评估复核和包户做工作，3 户均已签订补偿协议。",
        "evidence": [{"document_id": doc["id"]}, {"reference": "桃花仑片区协调会纪要〔2026〕第12期"}]})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed"
    assert body["closed_on"] == str(TODAY)
    assert body["closing_note"] == "经评估复核和包户做工作，3 户均已签订补偿协议。"
    assert closed.headers["etag"] == '"2"'
    evidence = (await projects.get(f"{P}/problems/{problem['id']}/evidence")).json()["items"]
    assert {(e["document_id"], e["reference"]) for e in evidence} == {
        (doc["id"], None), (None, "桃花仑片区协调会纪要〔2026〕第12期")}
    again = await projects.post(url, headers={"If-Match": '"2"'}, json={"note": "x", "evidence": [{"reference": "y"}]})
    assert again.status_code == 409
    assert again.json()["code"] == "problem.not_open"
    changed = await projects.patch(f"{P}/problems/{problem['id']}", json={"title": "改"}, headers={"If-Match": '"2"'})
    assert changed.status_code == 409
    assert (await projects.post(f"{P}/problems/{problem['id']}/progress", json={"note": "x"})).status_code == 409
    assert await count("projects.outbox_event",
                       "type = 'projects.problem.changed' AND payload->>'change' = 'closed'") == 1


async def test_evidence_document_of_another_problem_is_refused(projects: httpx.AsyncClient, project: str) -> None:
    a = await register(projects, project, title="甲")
    b = await register(projects, project, title="乙")
    doc = (await projects.post(f"{P}/problems/{a['id']}/documents",
                               files={"file": ("甲.txt", b"evidence", "text/plain")})).json()
    r = await projects.post(f"{P}/problems/{b['id']}/close", headers={"If-Match": '"1"'},
                            json={"note": "已解决", "evidence": [{"document_id": doc["id"]}]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.evidence[0].document_id"


async def test_reopen(projects: httpx.AsyncClient, project: str, count) -> None:
    problem = await register(projects, project)
    pid = problem["id"]
    not_closed = await projects.post(f"{P}/problems/{pid}/reopen", json={"reason": "x"}, headers={"If-Match": '"1"'})
    assert not_closed.status_code == 409
    assert not_closed.json()["code"] == "problem.not_closed"
    await projects.post(f"{P}/problems/{pid}/close", headers={"If-Match": '"1"'},
                        json={"note": "已签约", "evidence": [{"reference": "协议编号 THL-0312"}]})
    no_reason = await projects.post(f"{P}/problems/{pid}/reopen", json={"reason": " "}, headers={"If-Match": '"2"'})
    assert no_reason.status_code == 422
    past = await projects.post(f"{P}/problems/{pid}/reopen", headers={"If-Match": '"2"'},
                               json={"reason": "x", "deadline": str(TODAY - DAY)})
    assert past.status_code == 422
    stale = await projects.post(f"{P}/problems/{pid}/reopen", json={"reason": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    r = await projects.post(f"{P}/problems/{pid}/reopen", headers={"If-Match": '"2"'}, json={
        "reason": "其中 1 户反悔，要求重新评估", "deadline": str(TODAY + 20 * DAY)})
    assert r.status_code == 200, r.text
    reopened = r.json()
    assert reopened["status"] == "open"
    assert reopened["closed_on"] is None
    assert reopened["closing_note"] is None
    assert reopened["episode"] == 2
    assert reopened["deadline"] == str(TODAY + 20 * DAY)
    history = (await projects.get(f"{P}/problems/{pid}/history")).json()["items"]
    assert [h["kind"] for h in history] == ["registered", "closed", "reopened"]
    assert history[2]["note"] == "其中 1 户反悔，要求重新评估"
    assert [h["status"] for h in history] == ["open", "closed", "open"]
    assert await count("projects.audit_log", "action = 'problem.reopen'") == 1


async def test_update_moves_the_deadline_into_a_new_episode(projects: httpx.AsyncClient, project: str) -> None:
    problem = await register(projects, project)
    url = f"{P}/problems/{problem['id']}"
    r = await projects.patch(url, json={"measure": "区征收办派员驻点"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["episode"] == 1
    r = await projects.patch(url, json={"deadline": str(TODAY + 30 * DAY)}, headers={"If-Match": '"2"'})
    assert r.json()["episode"] == 2
    assert (await projects.patch(url, json={"title": None}, headers={"If-Match": '"3"'})).status_code == 422
    history = (await projects.get(f"{url}/history")).json()["items"]
    assert history[-1]["changes"] == {"deadline": str(TODAY + 30 * DAY), "episode": 2}


async def test_lists_overdue_and_the_ten_day_agenda(projects: httpx.AsyncClient, project: str, db) -> None:
    overdue = await register(projects, project, title="逾期未清零")
    await backdate(db, overdue["id"], TODAY - 2 * DAY, TODAY - 30 * DAY)
    soon = await register(projects, project, title="10 天内到期", deadline=str(TODAY + 10 * DAY))
    await register(projects, project, title="11 天后到期", deadline=str(TODAY + 11 * DAY))
    done = await register(projects, project, title="已销号", deadline=str(TODAY + 2 * DAY))
    await projects.post(f"{P}/problems/{done['id']}/close", headers={"If-Match": '"1"'},
                        json={"note": "已解决", "evidence": [{"reference": "纪要"}]})

    async def titles(url: str, **params: str) -> list[str]:
        r = await projects.get(url, params=params)
        assert r.status_code == 200, r.text
        return [p["title"] for p in r.json()["items"]]

    base = f"{P}/projects/{project}/problems"
    assert await titles(base, overdue="true") == ["逾期未清零"]
    assert await titles(base, due_within_days="10") == ["逾期未清零", "10 天内到期"]
    assert await titles(f"{P}/problems/agenda") == ["逾期未清零", "10 天内到期"]
    assert await titles(f"{P}/problems/agenda", days="11") == ["逾期未清零", "10 天内到期", "11 天后到期"]
    assert await titles(f"{P}/problems", status="closed") == ["已销号"]
    assert await titles(f"{P}/problems", region_prefix="430902") == []
    assert await titles(base, category="funding") == []
    got = (await projects.get(f"{P}/problems/{overdue['id']}")).json()
    assert got["overdue"] is True
    assert got["days_to_deadline"] == -2
    assert soon["overdue"] is False
    assert (await projects.get(base, params={"due_within_days": "-1"})).status_code == 422


async def test_overdue_problems_become_supervision_items_exactly_once(projects: httpx.AsyncClient, project: str,
                                                                      db, count) -> None:
    late = await register(projects, project, title="安置房源不足", category="resettlement_housing")
    await backdate(db, late["id"], TODAY - DAY, TODAY - 20 * DAY)
    await register(projects, project, title="未到期")

    assert await escalate(db, TODAY) == 1
    assert await escalate(db, TODAY) == 0  # idempotent
    assert await escalate(db, TODAY + 3 * DAY) == 0
    items = (await projects.get(f"{P}/supervision/items", params={"problem_id": late["id"]})).json()["items"]
    assert len(items) == 1
    item = items[0]
    assert item["source"] == "overdue_problem"
    assert item["source_label"] == "问题逾期"
    assert item["subject"] == "逾期问题督办：安置房源不足"
    assert item["problem_episode"] == 1
    assert item["owner_name"] == "李红梅"
    assert item["deadline"] == str(TODAY + 7 * DAY)
    history = (await projects.get(f"{P}/problems/{late['id']}/history")).json()["items"]
    assert [h["kind"] for h in history] == ["registered", "escalated"]
    assert history[1]["by_name"] == "系统"
    assert await count("projects.audit_log", "action = 'supervision.escalate' AND actor = 'system'") == 1
    assert await count("projects.outbox_event", "type = 'projects.supervision.changed'") == 1

    # Closing the problem closes its supervision; reopened and overdue again: a new episode, a new item.
    closed = await projects.post(f"{P}/problems/{late['id']}/close", headers={"If-Match": '"1"'}, json={
        "note": "调剂 12 套安置房源", "evidence": [{"reference": "益赫住保〔2026〕33号"}]})
    assert closed.status_code == 200, closed.text
    item_now = (await projects.get(f"{P}/supervision/items/{item['id']}")).json()
    assert item_now["status"] == "closed"
    assert item_now["result"] == "问题已销号：调剂 12 套安置房源"
    reopened = await projects.post(f"{P}/problems/{late['id']}/reopen", headers={"If-Match": '"2"'},
                                   json={"reason": "房源交付推迟"})
    assert reopened.json()["episode"] == 2
    assert reopened.json()["overdue"] is True  # the old deadline still stands
    assert await escalate(db, TODAY) == 1
    assert await escalate(db, TODAY) == 0
    assert await count("projects.supervision_item", "problem_id = :p", p=uuid.UUID(late["id"])) == 2
    assert await count("projects.supervision_item", "problem_id = :p AND status = 'open'",
                       p=uuid.UUID(late["id"])) == 1
