"""Withdrawing (作废) a task's or a problem's document: never a delete. The withdrawal is recorded on the
document (when, by whom, why), hides it from its owner's list unless asked, keeps it readable and
downloadable, is audited and announced with the owner's ``changed`` event; it is refused when already
done, for closing evidence of a closed problem, without the owner's write permission, outside the
caller's scope and for a bad reason, with nothing written. A withdrawn document cannot close a problem."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from kernel import calendar
from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from tests.projects.conftest import project_body
from tests.support.auth import bearer

TODAY = calendar.today()
P = "/api/v1/projects"
OWN = "430903001000"      # 桃花仑街道
SIBLING = "430903002000"  # 金银山街道: outside a 桃花仑 officer's scope
OFFICER = bearer("street_officer", region=OWN, name="张伟", subject="user:officer-zhangwei")


@pytest.fixture
async def places(projects: httpx.AsyncClient, regions: list[str]) -> dict[str, str]:
    """A project in the officer's sub-district and one in the sibling sub-district."""
    out = {}
    for place, region in (("own", OWN), ("sibling", SIBLING)):
        r = await projects.post(f"{P}/projects", json=project_body(f"WD-{place.upper()}", region_code=region))
        assert r.status_code == 201, r.text
        out[place] = str(r.json()["id"])
    return out


async def task_document(projects: httpx.AsyncClient, project: str, content: bytes = b"pifu", *,
                        task_id: str | None = None) -> dict[str, Any]:
    """A document uploaded to the task (to a new task of the project without ``task_id``)."""
    if task_id is None:
        task = await projects.post(f"{P}/projects/{project}/tasks", json={"title": "立项", "kind": "project_approval"})
        assert task.status_code == 201, task.text
        task_id = str(task.json()["id"])
    doc = await projects.post(f"{P}/tasks/{task_id}/documents",
                              files={"file": ("立项批复.pdf", content, "application/pdf")})
    assert doc.status_code == 201, doc.text
    return dict(doc.json())


async def problem_with_documents(projects: httpx.AsyncClient, project: str, n: int) -> tuple[str, list[str]]:
    problem = await projects.post(f"{P}/projects/{project}/problems", json={
        "category": "compensation_dispute", "title": "评估价异议", "description": "三户对评估价有异议",
        "deadline": str(TODAY + dt.timedelta(days=10))})
    assert problem.status_code == 201, problem.text
    pid = str(problem.json()["id"])
    ids = []
    for i in range(n):
        r = await projects.post(f"{P}/problems/{pid}/documents",
                                files={"file": (f"佐证{i}.pdf", f"佐证材料{i}".encode(), "application/pdf")})
        assert r.status_code == 201, r.text
        ids.append(str(r.json()["id"]))
    return pid, ids


async def withdraw(projects: httpx.AsyncClient, document_id: str, reason: object = "上传错误，已重新上传正确版本",
                   headers: dict[str, str] | None = None) -> httpx.Response:
    return await projects.post(f"{P}/documents/{document_id}/withdraw", json={"reason": reason},
                               headers=headers or {})


async def withdrawn_rows(db: Database) -> list[dict[str, Any]]:
    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        rows = await session.execute(text(
            "SELECT id, withdrawn_at, withdrawn_by, withdrawn_by_name, withdrawal_reason "
            "FROM projects.work_document WHERE withdrawn_at IS NOT NULL"))
        return [dict(r._mapping) for r in rows]


async def test_withdraw_a_task_document(projects: httpx.AsyncClient, places: dict[str, str], count,
                                        db: Database) -> None:
    content = "益阳市发展和改革委员会关于桃花仑片区棚户区改造项目立项的批复".encode()
    doc = await task_document(projects, places["own"], content)
    kept = await task_document(projects, places["own"], b"another", task_id=doc["task_id"])
    assert doc["withdrawn"] is False
    assert doc["withdrawn_at"] is None
    task_url = f"{P}/tasks/{doc['task_id']}/documents"
    events_before = await count("projects.outbox_event", "type = 'projects.task.changed'")

    r = await withdraw(projects, doc["id"], "  误传了其他项目的批复，作废  ", OFFICER)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["id"] == doc["id"]
    assert body["withdrawn"] is True
    assert body["withdrawn_by_name"] == "张伟"
    assert body["withdrawal_reason"] == "误传了其他项目的批复，作废"
    withdrawn_at = dt.datetime.fromisoformat(body["withdrawn_at"])
    assert abs(withdrawn_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert r.headers["etag"] == f'"{doc["sha256"]}"'
    [row] = await withdrawn_rows(db)
    assert row["withdrawn_by"] == "user:officer-zhangwei"

    # Hidden from the task's list by default, shown when asked for.
    listed = (await projects.get(task_url)).json()["items"]
    assert [d["id"] for d in listed] == [kept["id"]]
    everything = (await projects.get(task_url, params={"include_withdrawn": "true"})).json()["items"]
    assert [(d["id"], d["withdrawn"]) for d in everything] == [(doc["id"], True), (kept["id"], False)]
    # Still readable and downloadable: the archive keeps the file.
    meta = await projects.get(f"{P}/documents/{doc['id']}")
    assert meta.status_code == 200
    assert meta.json()["withdrawn"] is True
    assert meta.json()["withdrawal_reason"] == "误传了其他项目的批复，作废"
    down = await projects.get(doc["download_url"], headers=OFFICER)
    assert down.status_code == 200
    assert down.content == content

    # Audited and announced in the same transaction, once.
    assert await count("projects.audit_log", "action = 'task.document.withdraw' AND entity_id = :t",
                       t=doc["task_id"]) == 1
    assert await count("projects.audit_log", "action = 'task.document.withdraw' AND after->>'document_id' = :d "
                       "AND after->>'withdrawal_reason' = '误传了其他项目的批复，作废' "
                       "AND before->>'withdrawn_at' IS NULL", d=doc["id"]) == 1
    assert await count("projects.outbox_event", "type = 'projects.task.changed'") == events_before + 1
    assert await count("projects.outbox_event", "type = 'projects.task.changed' AND aggregate_id = :t "
                       "AND payload->>'change' = 'document_withdrawn'", t=doc["task_id"]) == 1

    # Once only.
    again = await withdraw(projects, doc["id"], "再次作废")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert again.json()["code"] == "document.already_withdrawn"
    assert again.json()["title"] == "附件已作废"
    assert await count("projects.audit_log", "action = 'task.document.withdraw'") == 1
    assert await count("projects.outbox_event", "type = 'projects.task.changed'") == events_before + 1
    [row] = await withdrawn_rows(db)
    assert row["withdrawal_reason"] == "误传了其他项目的批复，作废"


@pytest.mark.parametrize("body", [
    {},
    {"reason": ""},
    {"reason": "  作  "},  # one character once stripped
    {"reason": "废"},
    {"reason": "长" * 501},
    {"reason": 12},
    {"reason": "上传错误", "force": True},
])
async def test_a_bad_body_is_refused(projects: httpx.AsyncClient, places: dict[str, str], count,
                                     body: dict[str, object]) -> None:
    doc = await task_document(projects, places["own"])
    r = await projects.post(f"{P}/documents/{doc['id']}/withdraw", json=body)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"]
    assert await count("projects.work_document", "withdrawn_at IS NOT NULL") == 0
    assert await count("projects.audit_log", "action LIKE '%.document.withdraw'") == 0


async def test_a_reason_of_500_characters_is_enough(projects: httpx.AsyncClient, places: dict[str, str]) -> None:
    doc = await task_document(projects, places["own"])
    r = await withdraw(projects, doc["id"], "长" * 500)
    assert r.status_code == 200, r.text
    assert len(r.json()["withdrawal_reason"]) == 500


async def test_scope_and_permission(projects: httpx.AsyncClient, places: dict[str, str], count) -> None:
    own = await task_document(projects, places["own"], b"own")
    sibling = await task_document(projects, places["sibling"], b"sibling")
    own_problem, [own_evidence] = await problem_with_documents(projects, places["own"], 1)
    _, [sibling_evidence] = await problem_with_documents(projects, places["sibling"], 1)

    # Outside the caller's scope, or no such document: 404, the same answer.
    hidden = await withdraw(projects, sibling["id"], headers=OFFICER)
    missing = await withdraw(projects, str(uuid.uuid4()), headers=OFFICER)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["code"] == missing.json()["code"] == "document.not_found"
    # A role that may upload nothing may withdraw nothing.
    for role in ("auditor", "finance_officer", "housing_officer", "resident"):
        r = await withdraw(projects, own["id"], headers=bearer(role, region=OWN))
        assert r.status_code == 403, (role, r.text)
        assert r.headers["content-type"] == "application/problem+json"
    # A field worker may upload to problems, not to tasks: the same goes for withdrawing.
    field_worker = bearer("field_worker", region=OWN)
    denied = await withdraw(projects, own["id"], headers=field_worker)
    assert denied.status_code == 403
    assert denied.json()["code"] == "document.withdrawal_forbidden"
    assert (await withdraw(projects, sibling["id"], headers=field_worker)).status_code == 404  # scope first
    assert (await withdraw(projects, sibling_evidence, headers=field_worker)).status_code == 404
    assert await count("projects.work_document", "withdrawn_at IS NOT NULL") == 0
    allowed = await withdraw(projects, own_evidence, headers=field_worker)
    assert allowed.status_code == 200, allowed.text
    # A task-force member sees the projects of the force only.
    member = bearer("taskforce_member", region=OWN, projects=[places["sibling"]])
    assert (await withdraw(projects, own["id"], headers=member)).status_code == 404
    assert (await withdraw(projects, sibling["id"], headers=member)).status_code == 200
    assert await count("projects.work_document", "withdrawn_at IS NOT NULL") == 2
    assert await count("projects.audit_log", "action = 'problem.document.withdraw' AND entity_id = :p",
                       p=own_problem) == 1
    assert await count("projects.outbox_event", "type = 'projects.problem.changed' AND aggregate_id = :p "
                       "AND payload->>'change' = 'document_withdrawn'", p=own_problem) == 1


async def test_closing_evidence_of_a_closed_problem_stays(projects: httpx.AsyncClient, places: dict[str, str],
                                                          count) -> None:
    pid, [evidence, spare] = await problem_with_documents(projects, places["own"], 2)
    closed = await projects.post(f"{P}/problems/{pid}/close", headers={"If-Match": '"1"'}, json={
        "note": "三户均已签约", "evidence": [{"document_id": evidence}, {"reference": "协调会纪要〔2026〕第12期"}]})
    assert closed.status_code == 200, closed.text

    refused = await withdraw(projects, evidence, headers=OFFICER)
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "document.is_evidence"
    assert refused.json()["problem_id"] == pid
    assert await count("projects.work_document", "withdrawn_at IS NOT NULL") == 0
    assert await count("projects.audit_log", "action = 'problem.document.withdraw'") == 0
    # A document of the problem that the closure does not cite may go.
    assert (await withdraw(projects, spare, headers=OFFICER)).status_code == 200
    listed = (await projects.get(f"{P}/problems/{pid}/documents")).json()["items"]
    assert [d["id"] for d in listed] == [evidence]
    everything = (await projects.get(f"{P}/problems/{pid}/documents?include_withdrawn=true")).json()["items"]
    assert {d["id"] for d in everything} == {evidence, spare}

    # Reopened, the problem no longer rests on it: it may be withdrawn, and then cannot close the problem again.
    reopened = await projects.post(f"{P}/problems/{pid}/reopen", headers={"If-Match": '"2"'},
                                   json={"reason": "其中 1 户反悔"})
    assert reopened.status_code == 200, reopened.text
    assert (await withdraw(projects, evidence, headers=OFFICER)).status_code == 200
    close_again = await projects.post(f"{P}/problems/{pid}/close", headers={"If-Match": '"3"'}, json={
        "note": "重新签约", "evidence": [{"reference": "补充协议"}, {"document_id": evidence}]})
    assert close_again.status_code == 422, close_again.text
    problem = close_again.json()
    assert problem["code"] == "problem.evidence_withdrawn"
    assert problem["withdrawn_documents"] == [evidence]
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [
        ("body.evidence[1].document_id", "withdrawn_document")]
    assert "佐证0.pdf" in problem["errors"][0]["message"]
    assert await count("projects.problem", "id = :p AND status = 'open'", p=pid) == 1
    assert await count("projects.problem_evidence") == 2  # the first closure's only


async def test_a_withdrawn_document_among_other_faults(projects: httpx.AsyncClient, places: dict[str, str]) -> None:
    pid, [doc] = await problem_with_documents(projects, places["own"], 1)
    assert (await withdraw(projects, doc)).status_code == 200
    r = await projects.post(f"{P}/problems/{pid}/close", headers={"If-Match": '"1"'},
                            json={"note": " ", "evidence": [{"document_id": doc}]})
    assert r.status_code == 422
    assert r.json()["code"] == "problem.evidence_required"
    assert {e["code"] for e in r.json()["errors"]} == {"required", "withdrawn_document"}
    assert r.json()["withdrawn_documents"] == [doc]

