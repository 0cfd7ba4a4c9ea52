"""Tasks (任务清单): create, change, progress, overdue detection in the query, approvals with documents,
and backward-scheduled plans (倒排工期) through the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from typing import Any

import httpx
import pytest

from kernel import calendar
from tests.projects.conftest import project_body

TODAY = calendar.today()
DAY = dt.timedelta(days=1)
P = "/api/v1/projects"


@pytest.fixture
async def project(projects: httpx.AsyncClient, regions: list[str]) -> str:
    r = await projects.post(f"{P}/projects", json=project_body("TASK-001"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def new_task(projects: httpx.AsyncClient, project: str, **over: object) -> dict[str, Any]:
    body: dict[str, object] = {"title": "入户调查登记", "owner_name": "刘建军", "owner_unit_name": "桃花仑街道办事处"}
    body.update(over)
    r = await projects.post(f"{P}/projects/{project}/tasks", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_create_read_update(projects: httpx.AsyncClient, project: str, count) -> None:
    r = await projects.post(f"{P}/projects/{project}/tasks", headers={"Idempotency-Key": "task-create-0001"}, json={
        "title": "房屋征收决定公告", "planned_start": str(TODAY), "planned_end": str(TODAY + 30 * DAY),
        "owner_name": "周敏", "owner_unit_name": "赫山区房屋征收与补偿办公室"})
    assert r.status_code == 201, r.text
    task = r.json()
    assert r.headers["etag"] == '"1"'
    assert r.headers["location"] == f"{P}/tasks/{task['id']}"
    assert task["kind"] == "general"
    assert task["kind_label"] == "一般任务"
    assert not task["is_approval"]
    assert task["status"] == "not_started"
    assert task["status_label"] == "未开始"
    assert task["overdue"] is False
    again = await projects.post(f"{P}/projects/{project}/tasks", headers={"Idempotency-Key": "task-create-0001"},
                                json={"title": "房屋征收决定公告", "planned_start": str(TODAY),
                                      "planned_end": str(TODAY + 30 * DAY), "owner_name": "周敏",
                                      "owner_unit_name": "赫山区房屋征收与补偿办公室"})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert await count("projects.task") == 1
    assert await count("projects.outbox_event", "type = 'projects.task.changed'") == 1
    assert await count("projects.audit_log", "action = 'task.create'") == 1

    got = await projects.get(f"{P}/tasks/{task['id']}")
    assert got.json() == task

    missing = await projects.patch(f"{P}/tasks/{task['id']}", json={"title": "新"})
    assert missing.status_code == 428
    changed = await projects.patch(f"{P}/tasks/{task['id']}", json={"status": "done"}, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.json()["progress"] == 100
    assert changed.json()["actual_end"] == str(TODAY)
    assert changed.headers["etag"] == '"2"'
    stale = await projects.patch(f"{P}/tasks/{task['id']}", json={"title": "过期"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert await count("projects.outbox_event", "type = 'projects.task.changed'") == 2


async def test_bad_input_is_refused_and_writes_nothing(projects: httpx.AsyncClient, project: str, count) -> None:
    cases = [
        ({"title": ""}, 422, None),
        ({"title": "x", "planned_start": "2026-12-10", "planned_end": "2026-12-01"}, 422, "task.invalid"),
        ({"title": "x", "progress": 120}, 422, None),
        ({"title": "x", "document_number": "益发改〔2026〕1号"}, 422, "task.invalid"),  # not an approval
        ({"title": "x", "kind": "rocket_launch"}, 422, None),
        ({"title": "x", "depends_on": [str(uuid.uuid4())]}, 422, "task.invalid"),
        ({"title": "x", "actual_end": str(TODAY + DAY)}, 422, "task.invalid"),
        ({"title": "x", "unknown": 1}, 422, None),
    ]
    for body, want, code in cases:
        r = await projects.post(f"{P}/projects/{project}/tasks", json=body)
        assert r.status_code == want, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        if code:
            assert r.json()["code"] == code
    bad_dates = await projects.post(f"{P}/projects/{project}/tasks", json={
        "title": "x", "planned_start": "2026-12-10", "planned_end": "2026-12-01"})
    assert bad_dates.json()["errors"][0]["field"] == "body.planned_end"
    assert (await projects.post(f"{P}/projects/{uuid.uuid4()}/tasks", json={"title": "x"})).status_code == 404
    assert (await projects.get(f"{P}/tasks/{uuid.uuid4()}")).status_code == 404
    assert await count("projects.task") == 0


async def test_client_generated_id(projects: httpx.AsyncClient, project: str) -> None:
    tid = str(uuid.uuid4())
    assert (await new_task(projects, project, id=tid))["id"] == tid
    r = await projects.post(f"{P}/projects/{project}/tasks", json={"title": "重复", "id": tid})
    assert r.status_code == 409
    assert r.json()["code"] == "task.id_taken"


async def test_overdue_is_computed_in_the_query(projects: httpx.AsyncClient, project: str) -> None:
    late = await new_task(projects, project, title="迟了", planned_end=str(TODAY - 3 * DAY))
    late_started = await new_task(projects, project, title="推进中但迟了", planned_end=str(TODAY - DAY),
                                  status="in_progress", progress=40)
    await new_task(projects, project, title="今天到期", planned_end=str(TODAY))
    await new_task(projects, project, title="已完成的旧任务", planned_end=str(TODAY - 10 * DAY), status="done")
    await new_task(projects, project, title="已取消", planned_end=str(TODAY - 10 * DAY), status="cancelled")
    await new_task(projects, project, title="无期限")

    r = await projects.get(f"{P}/projects/{project}/tasks", params={"overdue": "true"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [t["title"] for t in items] == ["迟了", "推进中但迟了"]  # by planned end
    assert all(t["overdue"] for t in items)
    assert {t["id"] for t in items} == {late["id"], late_started["id"]}

    not_overdue = (await projects.get(f"{P}/projects/{project}/tasks", params={"overdue": "false"})).json()["items"]
    assert {t["title"] for t in not_overdue} == {"今天到期", "已完成的旧任务", "已取消", "无期限"}
    everything = (await projects.get(f"{P}/projects/{project}/tasks")).json()["items"]
    assert len(everything) == 6
    assert everything[-1]["title"] == "无期限"  # no planned end sorts last
    assert (await projects.get(f"{P}/tasks", params={"overdue": "true"})).json()["items"] == items

    # Paging through the overdue list with a cursor over (planned end, id).
    first = (await projects.get(f"{P}/projects/{project}/tasks", params={"overdue": "true", "limit": 1})).json()
    assert len(first["items"]) == 1
    assert first["next_cursor"]
    second = (await projects.get(f"{P}/projects/{project}/tasks", params={
        "overdue": "true", "limit": 1, "cursor": first["next_cursor"]})).json()
    assert [t["title"] for t in second["items"]] == ["推进中但迟了"]
    assert second["next_cursor"] is None
    bad = await projects.get(f"{P}/projects/{project}/tasks", params={"overdue": "true", "cursor": "bm9wZQ"})
    assert bad.status_code == 422


async def test_filters(projects: httpx.AsyncClient, project: str) -> None:
    await new_task(projects, project, title="立项批复", kind="project_approval")
    await new_task(projects, project, title="环评", kind="eia", status="in_progress")
    await new_task(projects, project, title="一般")

    async def titles(**params: str) -> list[str]:
        r = await projects.get(f"{P}/projects/{project}/tasks", params=params)
        assert r.status_code == 200, r.text
        return sorted(t["title"] for t in r.json()["items"])

    assert await titles(approvals="true") == ["环评", "立项批复"]
    assert await titles(kind="eia") == ["环评"]
    assert await titles(status="in_progress") == ["环评"]
    assert (await projects.get(f"{P}/projects/{project}/tasks", params={"status": "nope"})).status_code == 422
    since = (await projects.get(f"{P}/projects/{project}/tasks", params={
        "updated_since": "2000-01-01T00:00:00Z"})).json()["items"]
    assert len(since) == 3


async def test_progress_reports(projects: httpx.AsyncClient, project: str, count) -> None:
    task = await new_task(projects, project, planned_end=str(TODAY + 5 * DAY))
    url = f"{P}/tasks/{task['id']}/progress"
    r = await projects.post(url, json={"progress": 30, "note": "已完成 372 户入户调查"})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "in_progress"
    assert r.json()["reported_by_name"] == "测试用户"
    got = (await projects.get(f"{P}/tasks/{task['id']}")).json()
    assert got["progress"] == 30
    assert got["status"] == "in_progress"
    assert got["actual_start"] == str(TODAY)
    assert got["version"] == 2
    assert (await projects.post(url, json={"progress": 101, "note": "x"})).status_code == 422
    assert (await projects.post(url, json={"progress": 50, "note": "   "})).status_code == 422
    done = await projects.post(url, json={"progress": 100, "note": "入户调查全部完成"})
    assert done.json()["status"] == "done"
    after = await projects.post(url, json={"progress": 100, "note": "再报"})
    assert after.status_code == 409
    assert after.json()["code"] == "task.closed"
    listed = (await projects.get(url)).json()["items"]
    assert [p["progress"] for p in listed] == [30, 100]
    assert await count("projects.task_progress") == 2


APPROVAL = {
    "title": "桃花仑片区棚改项目立项", "kind": "project_approval", "owner_unit_name": "益阳市发展和改革委员会",
    "document_number": "益发改审〔2026〕118号", "approving_authority": "益阳市发展和改革委员会",
    "approved_on": "2026-03-12", "status": "done",
}


async def test_approval_with_documents(projects: httpx.AsyncClient, project: str, count) -> None:
    task = await new_task(projects, project, **APPROVAL)
    assert task["is_approval"]
    assert task["kind_label"] == "立项"
    assert task["document_number"] == "益发改审〔2026〕118号"
    content = "益阳市发展和改革委员会关于桃花仑片区棚户区改造项目立项的批复".encode() * 10
    # A retry sends the same bytes: the same multipart boundary.
    headers = {"Idempotency-Key": "doc-upload-0001", "Content-Type": "multipart/form-data; boundary=anju-test-1"}
    r = await projects.post(f"{P}/tasks/{task['id']}/documents", headers=headers,
                            files={"file": ("立项批复.pdf", content, "application/pdf")},
                            data={"description": "立项批复扫描件"})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sha256"] == hashlib.sha256(content).hexdigest()
    assert doc["size_bytes"] == len(content)
    assert doc["content_type"] == "application/pdf"
    assert doc["file_name"] == "立项批复.pdf"
    assert doc["storage"] == "database"
    assert r.headers["location"] == doc["download_url"]
    replay = await projects.post(f"{P}/tasks/{task['id']}/documents", headers=headers,
                                 files={"file": ("立项批复.pdf", content, "application/pdf")},
                                 data={"description": "立项批复扫描件"})
    assert replay.status_code == 201
    assert replay.json()["id"] == doc["id"]
    assert await count("projects.work_document") == 1

    down = await projects.get(doc["download_url"])
    assert down.status_code == 200
    assert down.content == content
    assert down.headers["etag"] == f'"{doc["sha256"]}"'
    assert down.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in down.headers["content-disposition"]
    cached = await projects.get(doc["download_url"], headers={"If-None-Match": down.headers["etag"]})
    assert cached.status_code == 304
    assert cached.content == b""
    meta = await projects.get(f"{P}/documents/{doc['id']}")
    assert meta.json()["sha256"] == doc["sha256"]
    listed = (await projects.get(f"{P}/tasks/{task['id']}/documents")).json()["items"]
    assert [d["id"] for d in listed] == [doc["id"]]
    assert (await projects.get(f"{P}/documents/{uuid.uuid4()}/content")).status_code == 404


async def test_a_huge_multipart_body_is_refused_before_parsing_on_every_task_and_problem_post(
        projects: httpx.AsyncClient, project: str, monkeypatch, projects_app) -> None:
    """Not only the upload routes: a multipart POST over the document limit is refused by its
    declared length on any POST of the tasks' and problems' routers, before anything reads it."""
    task = await new_task(projects, project, kind="eia", title="环评批复")
    monkeypatch.setattr(projects_app.state.settings, "document_max_bytes", 1000)
    posts = (f"{P}/projects/{project}/tasks", f"{P}/tasks/{task['id']}/progress", f"{P}/projects/{project}/problems")
    for url in posts:
        huge = await projects.post(url, files={"file": ("巨大.pdf", b"x" * 200_000, "application/pdf")})
        assert huge.status_code == 413, (url, huge.text)


async def test_upload_limits(projects: httpx.AsyncClient, project: str, count, monkeypatch, projects_app) -> None:
    task = await new_task(projects, project, kind="eia", title="环评批复")
    url = f"{P}/tasks/{task['id']}/documents"
    monkeypatch.setattr(projects_app.state.settings, "document_max_bytes", 1000)
    over = await projects.post(url, files={"file": ("大文件.pdf", b"x" * 1001, "application/pdf")})
    assert over.status_code == 413, over.text
    assert over.json()["code"] == "document.too_large"
    huge = await projects.post(url, files={"file": ("巨大.pdf", b"x" * 200_000, "application/pdf")})
    assert huge.status_code == 413  # refused by the declared length, before the form is parsed
    exact = await projects.post(url, files={"file": ("刚好.pdf", b"y" * 1000, "application/pdf")})
    assert exact.status_code == 201
    empty = await projects.post(url, files={"file": ("空.pdf", b"", "application/pdf")})
    assert empty.status_code == 422
    assert empty.json()["code"] == "document.invalid"
    no_file = await projects.post(url, data={"description": "没有文件"})
    assert no_file.status_code == 422
    assert await count("projects.work_document") == 1


async def test_documents_in_a_directory(projects: httpx.AsyncClient, project: str, count, monkeypatch,
                                        tmp_path, projects_app) -> None:
    monkeypatch.setattr(projects_app.state.settings, "document_dir", tmp_path)
    task = await new_task(projects, project, kind="land_use", title="用地预审")
    content = "自然资源和规划局用地预审意见".encode()
    r = await projects.post(f"{P}/tasks/{task['id']}/documents",
                            files={"file": ("../../etc/用地预审.txt", content, "text/plain")})
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["storage"] == "directory"
    assert doc["file_name"] == "用地预审.txt"
    sha = hashlib.sha256(content).hexdigest()
    assert (tmp_path / sha[:2] / sha).read_bytes() == content
    assert await count("projects.work_document", "content IS NULL") == 1
    down = await projects.get(doc["download_url"])
    assert down.content == content
    assert down.headers["etag"] == f'"{sha}"'
    (tmp_path / sha[:2] / sha).write_bytes(b"tampered")
    assert (await projects.get(doc["download_url"])).status_code == 404


# --- backward scheduling -------------------------------------------------------------------------


async def test_plan_creates_tasks_backwards_from_the_target(projects: httpx.AsyncClient, project: str,
                                                            count) -> None:
    target = TODAY + 120 * DAY
    body = {"target_date": str(target), "steps": [
        {"key": "survey", "title": "入户调查登记", "duration_days": 30, "owner_name": "刘建军"},
        {"key": "appraisal", "title": "房屋评估", "duration_days": 20},
        {"key": "scheme", "title": "补偿方案征求意见", "duration_days": 30, "after": ["survey"]},
        {"key": "signing", "title": "集中签约", "duration_days": 40, "after": ["appraisal", "scheme"]},
    ]}
    r = await projects.post(f"{P}/projects/{project}/task-plans", json=body,
                            headers={"Idempotency-Key": "plan-thl-000001"})
    assert r.status_code == 201, r.text
    plan = r.json()
    items = {i["key"]: i for i in plan["items"]}
    assert items["signing"]["planned_end"] == str(target)
    assert items["signing"]["planned_start"] == str(target - 39 * DAY)
    # Both appraisal and scheme end the day before signing starts; survey before scheme.
    assert items["appraisal"]["planned_end"] == items["scheme"]["planned_end"] == str(target - 40 * DAY)
    assert items["scheme"]["planned_start"] == str(target - 69 * DAY)
    assert items["survey"]["planned_end"] == str(target - 70 * DAY)
    assert items["survey"]["planned_start"] == str(target - 99 * DAY) == plan["start"]
    assert items["appraisal"]["after"] == ["survey"]  # the step before it in the list
    assert plan["feasible"] is True
    assert plan["late_steps"] == []
    assert all(i["created"] for i in plan["items"])
    assert await count("projects.task", "plan_target = :t", t=target) == 4

    listed = (await projects.get(f"{P}/projects/{project}/tasks")).json()["items"]
    by_title = {t["title"]: t for t in listed}
    assert by_title["集中签约"]["planned_end"] == str(target)
    assert set(by_title["集中签约"]["depends_on"]) == {items["appraisal"]["task_id"], items["scheme"]["task_id"]}
    assert by_title["入户调查登记"]["owner_name"] == "刘建军"

    replay = await projects.post(f"{P}/projects/{project}/task-plans", json=body,
                                 headers={"Idempotency-Key": "plan-thl-000001"})
    assert replay.json() == plan
    assert await count("projects.task") == 4


async def test_replan_moves_existing_tasks_and_flags_late_starts(projects: httpx.AsyncClient, project: str,
                                                                 count) -> None:
    a = await new_task(projects, project, title="组卷报批", kind="land_filing")
    b = await new_task(projects, project, title="土地招拍挂", kind="land_auction")
    target = TODAY + 10 * DAY
    r = await projects.post(f"{P}/projects/{project}/task-plans", json={"target_date": str(target), "steps": [
        {"key": "filing", "task_id": a["id"], "duration_days": 30},
        {"key": "auction", "task_id": b["id"], "duration_days": 5},
    ]})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["feasible"] is False
    assert plan["late_steps"] == ["filing"]
    assert not any(i["created"] for i in plan["items"])
    got = (await projects.get(f"{P}/tasks/{a['id']}")).json()
    assert got["planned_end"] == str(target - 5 * DAY)
    assert got["duration_days"] == 30
    assert got["planned_start"] == str(target - 34 * DAY)
    assert got["version"] == 2
    assert (await projects.get(f"{P}/tasks/{b['id']}")).json()["depends_on"] == [a["id"]]
    assert await count("projects.task") == 2
    assert await count("projects.audit_log", "action = 'task.plan'") == 2


async def test_plan_in_working_days_and_dry_run(projects: httpx.AsyncClient, project: str, count) -> None:
    r = await projects.post(f"{P}/projects/{project}/task-plans", json={
        "target_date": "2026-10-09", "dry_run": True, "steps": [
            {"key": "a", "title": "公示", "duration_days": 3, "working_days": True}]})
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    # 1–7 October 2026 is the National Day holiday: 3 working days ending on Friday 9 October are
    # the 9th, the 8th and Wednesday 30 September. A start in the past is flagged, not refused.
    assert item["planned_end"] == "2026-10-09"
    assert item["planned_start"] == "2026-09-30"
    assert item["starts_before_today"] is (dt.date(2026, 9, 30) < TODAY)
    assert item["task_id"] is None
    assert r.json()["dry_run"] is True
    assert await count("projects.task") == 0


async def test_plan_refusals(projects: httpx.AsyncClient, project: str, count) -> None:
    url = f"{P}/projects/{project}/task-plans"
    target = str(TODAY + 100 * DAY)
    cycle = await projects.post(url, json={"target_date": target, "steps": [
        {"key": "a", "title": "甲", "duration_days": 3, "after": ["b"]},
        {"key": "b", "title": "乙", "duration_days": 3, "after": ["a"]}]})
    assert cycle.status_code == 422, cycle.text
    assert cycle.json()["code"] == "task_plan.cycle"
    unknown = await projects.post(url, json={"target_date": target, "steps": [
        {"key": "a", "title": "甲", "duration_days": 3, "after": ["zzz"]}]})
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "task_plan.invalid"
    untitled = await projects.post(url, json={"target_date": target, "steps": [{"key": "a", "duration_days": 3}]})
    assert untitled.status_code == 422
    assert untitled.json()["errors"][0]["field"] == "body.steps[0].title"
    foreign = await projects.post(url, json={"target_date": target, "steps": [
        {"key": "a", "task_id": str(uuid.uuid4()), "duration_days": 3}]})
    assert foreign.status_code == 422
    assert (await projects.post(url, json={"target_date": target, "steps": []})).status_code == 422
    assert (await projects.post(url, json={"target_date": target, "steps": [
        {"key": "a", "title": "甲", "duration_days": 0}]})).status_code == 422
    assert (await projects.post(f"{P}/projects/{uuid.uuid4()}/task-plans", json={"target_date": target, "steps": [
        {"key": "a", "title": "甲", "duration_days": 3}]})).status_code == 404
    assert await count("projects.task") == 0
