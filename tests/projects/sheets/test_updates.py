"""Export → edit in Excel → re-import: a row whose 记录ID names a record updates it (版本 = If-Match)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
from openpyxl import load_workbook

from kernel import calendar
from services.projects.sheets.rules import XLSX_MEDIA_TYPE
from tests.projects.conftest import project_body
from tests.projects.sheets.formulas import with_results
from tests.support.auth import bearer

TODAY = calendar.today()
DAY = dt.timedelta(days=1)
P = "/api/v1/projects"
SHEETS = f"{P}/sheets"
OFFICER = "430903001000"  # 桃花仑街道
TASK_CHANGED = "type = 'projects.task.changed'"
PROBLEM_CHANGED = "type = 'projects.problem.changed'"
PROJECT_CHANGED = "type = 'projects.project.changed'"


def edited(content: bytes, changes: dict[str, dict[str, Any]], *, append: list[dict[str, Any]] | None = None) -> bytes:
    """The exported workbook with some cells changed, by the row's 记录ID and the column's header
    (a header of the export may carry a trailing * for a required column); ``append``: new rows."""
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    headers = {str(c.value).rstrip("*"): i for i, c in enumerate(sheet[1])}
    for row in sheet.iter_rows(min_row=2):
        ident = row[headers["记录ID"]].value
        for header, value in changes.get(str(ident), {}).items():
            row[headers[header]].value = value
    for values in append or []:
        line: list[Any] = [None] * len(headers)
        for header, value in values.items():
            line[headers[header]] = value
        sheet.append(line)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cells(r: httpx.Response) -> list[tuple[int, str | None, str]]:
    return [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]]


async def upload(client: httpx.AsyncClient, kind: str, data: bytes, **kw: Any) -> httpx.Response:
    return await client.post(f"{SHEETS}/{kind}", files={"file": (f"{kind}.xlsx", data, XLSX_MEDIA_TYPE)}, **kw)


async def export(client: httpx.AsyncClient, kind: str, **kw: Any) -> bytes:
    r = await client.get(f"{SHEETS}/{kind}", **kw)
    assert r.status_code == 200, r.text
    return r.content


async def new(client: httpx.AsyncClient, project: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(f"{P}/projects/{project}/{kind}", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def get(client: httpx.AsyncClient, path: str) -> dict[str, Any]:
    r = await client.get(f"{P}/{path}")
    assert r.status_code == 200, r.text
    return dict(r.json())


async def project(client: httpx.AsyncClient, code: str, **over: Any) -> str:
    r = await client.post(f"{P}/projects", json=project_body(code, **over))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def tasks(client: httpx.AsyncClient, project_id: str, n: int) -> list[dict[str, Any]]:
    return [await new(client, project_id, "tasks", {
        "title": f"任务{i}", "planned_start": str(TODAY - 10 * DAY), "planned_end": str(TODAY + (i + 1) * 10 * DAY),
        "owner_name": "刘建军", "status": "in_progress", "progress": 10 * i}) for i in range(n)]


# --------------------------------------------------------------------------- tasks


async def test_reimported_task_sheet_updates_only_what_changed(projects: httpx.AsyncClient, regions: list[str],
                                                              count) -> None:
    own = await project(projects, "UP-OWN")
    a, b, c, d = await tasks(projects, own, 4)
    events, audits = await count("projects.outbox_event", TASK_CHANGED), await count("projects.audit_log")
    sheet = await export(projects, "tasks")
    data = edited(sheet, {a["id"]: {"进度（%）": 100, "状态": "已完成"},
                          b["id"]: {"计划完成日期": TODAY + 99 * DAY, "任务内容": "逐户核实产权"}})
    r = await upload(projects, "tasks", data)
    assert r.status_code == 200, r.text
    assert r.json() == {"kind": "tasks", "rows": 4, "created": 0, "updated": 2, "unchanged": 2, "dry_run": False,
                        "ids": [], "updated_ids": [a["id"], b["id"]]}
    got_a, got_b = await get(projects, f"tasks/{a['id']}"), await get(projects, f"tasks/{b['id']}")
    assert (got_a["progress"], got_a["status"], got_a["actual_end"], got_a["version"]) == \
        (100, "done", str(TODAY), 2)
    assert (got_b["planned_end"], got_b["description"], got_b["version"]) == (str(TODAY + 99 * DAY), "逐户核实产权", 2)
    for untouched in (c, d):
        assert (await get(projects, f"tasks/{untouched['id']}"))["version"] == 1
    # As for a PATCH: one event and one audit entry (with before and after) per changed task.
    assert await count("projects.outbox_event", TASK_CHANGED) == events + 2
    assert await count("projects.outbox_event", f"{TASK_CHANGED} AND payload->>'change' = 'updated'") == 2
    assert await count("projects.audit_log") == audits + 2
    assert await count("projects.audit_log", "action = 'task.update' AND entity_id = :i "
                       "AND before->>'status' = 'in_progress' AND after->>'status' = 'done'", i=a["id"]) == 1

    # The sheet exported now, imported back as it is, changes nothing.
    again = await export(projects, "tasks")
    r = await upload(projects, "tasks", again)
    assert r.status_code == 200, r.text
    assert (r.json()["created"], r.json()["updated"], r.json()["unchanged"]) == (0, 0, 4)
    assert (await get(projects, f"tasks/{a['id']}"))["version"] == 2
    assert await count("projects.outbox_event", TASK_CHANGED) == events + 2
    assert await count("projects.audit_log") == audits + 2


async def test_a_row_changed_since_the_export_is_stale(projects: httpx.AsyncClient, regions: list[str],
                                                       count) -> None:
    own = await project(projects, "UP-OWN")
    a, b = await tasks(projects, own, 2)
    sheet = await export(projects, "tasks")
    r = await projects.patch(f"{P}/tasks/{a['id']}", json={"title": "在系统中改过"}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    events, audits = await count("projects.outbox_event"), await count("projects.audit_log")
    r = await upload(projects, "tasks", edited(sheet, {a["id"]: {"进度（%）": 90}, b["id"]: {"进度（%）": 50}}))
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "import.invalid"
    assert cells(r) == [(2, "版本", "stale")]
    assert r.json()["cells"][0]["message"] == "该记录在导出后已被修改（当前版本 2），请重新导出后再改"
    assert r.json()["errors"][0]["field"] == "rows.2.version"
    # All or nothing: the good row is not written either.
    assert (await get(projects, f"tasks/{b['id']}"))["version"] == 1
    assert (await get(projects, f"tasks/{a['id']}"))["progress"] == 0
    assert await count("projects.outbox_event") == events
    assert await count("projects.audit_log") == audits


async def test_an_existing_id_without_its_version_is_refused(projects: httpx.AsyncClient, regions: list[str],
                                                             count) -> None:
    own = await project(projects, "UP-OWN")
    (a,) = await tasks(projects, own, 1)
    sheet = await export(projects, "tasks")
    r = await upload(projects, "tasks", edited(sheet, {a["id"]: {"版本": None, "进度（%）": 30}}))
    assert r.status_code == 422, r.text
    assert cells(r) == [(2, "版本", "version_required")]
    assert "当前版本 1" in r.json()["cells"][0]["message"]
    assert (await get(projects, f"tasks/{a['id']}"))["version"] == 1
    assert await count("projects.audit_log", "action = 'task.update'") == 0


async def test_what_the_update_cannot_change_is_refused(projects: httpx.AsyncClient, regions: list[str],
                                                        count) -> None:
    own = await project(projects, "UP-OWN")
    await project(projects, "UP-OTHER", region_code="430903002000")
    a, b = await tasks(projects, own, 2)
    sheet = await export(projects, "tasks")
    r = await upload(projects, "tasks", edited(sheet, {a["id"]: {"项目编号": "UP-OTHER"},
                                                       b["id"]: {"项目编号": "UP-NONE", "任务名称": "改名"}}))
    assert r.status_code == 422, r.text
    assert cells(r) == [(2, "项目编号", "not_updatable"), (3, "项目编号", "unknown_project")]
    assert r.json()["cells"][0]["message"] == "不能通过导入把任务移到其他项目（现属项目 UP-OWN）"
    assert await count("projects.task", "project_id = :p", p=own) == 2
    assert await count("projects.audit_log", "action = 'task.update'") == 0


async def test_new_and_updated_rows_in_one_file_and_all_or_nothing(projects: httpx.AsyncClient,
                                                                   regions: list[str], count) -> None:
    own = await project(projects, "UP-OWN")
    a, b = await tasks(projects, own, 2)
    sheet = await export(projects, "tasks")
    audits = await count("projects.audit_log")
    # One bad row anywhere (here a new one): nothing created, nothing updated.
    bad = edited(sheet, {a["id"]: {"任务名称": "入户调查（二期）"}}, append=[
        {"项目编号": "UP-OWN", "任务名称": "测绘"},
        {"项目编号": "UP-OWN", "任务名称": "评估", "计划开始日期": TODAY, "计划完成日期": TODAY - DAY}])
    r = await upload(projects, "tasks", bad)
    assert r.status_code == 422, r.text
    assert cells(r) == [(5, "计划完成日期", "before_start")]
    assert await count("projects.task") == 2
    assert (await get(projects, f"tasks/{a['id']}"))["title"] == "任务0"
    assert await count("projects.audit_log") == audits
    # An update refused by its use case (the rules among the task's fields) is reported on its row.
    r = await upload(projects, "tasks", edited(sheet, {b["id"]: {"实际完成日期": TODAY + 3 * DAY}},
                                               append=[{"项目编号": "UP-OWN", "任务名称": "测绘"}]))
    assert r.status_code == 422, r.text
    assert cells(r) == [(3, "实际完成日期", "in_future")]
    assert await count("projects.task") == 2
    assert await count("projects.audit_log") == audits

    good = edited(sheet, {a["id"]: {"任务名称": "入户调查（二期）"}},
                  append=[{"项目编号": "UP-OWN", "任务名称": "测绘"}])
    r = await upload(projects, "tasks", good)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["created"], body["updated"], body["unchanged"], body["updated_ids"]) == (1, 1, 1, [a["id"]])
    assert (await get(projects, f"tasks/{body['ids'][0]}"))["title"] == "测绘"
    assert (await get(projects, f"tasks/{a['id']}"))["title"] == "入户调查（二期）"
    assert await count("projects.audit_log", "action = 'task.create'") == 3
    assert await count("projects.audit_log", "action = 'task.update'") == 1


async def test_a_hidden_records_id_reads_as_taken(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    own = await project(projects, "UP-OWN")
    sib = await project(projects, "UP-SIB", region_code="430903002000")
    hidden = await new(projects, sib, "tasks", {"title": "邻街道的机密任务"})
    officer = bearer("street_officer", region=OFFICER)
    await tasks(projects, own, 1)
    sheet = await export(projects, "tasks", headers=officer)
    data = edited(sheet, {}, append=[{"项目编号": "UP-OWN", "任务名称": "冒名", "记录ID": hidden["id"], "版本": 1}])
    events = await count("projects.outbox_event")
    r = await upload(projects, "tasks", data, headers=officer)
    assert r.status_code == 422, r.text
    # Exactly what a new record with a taken ID gets (row-level security hides the record from every
    # look-up; the insert's key still catches it): neither its version nor anything of it is told.
    (cell,) = r.json()["cells"]
    assert (cell["row"], cell["column"], cell["message"]) in {(3, "记录ID", "ID 已存在"),
                                                              (3, "记录ID", f"ID {hidden['id']} 已存在")}
    for secret in ("UP-SIB", "邻街道的机密任务", "当前版本", "430903002000"):
        assert secret not in r.text
    assert (await get(projects, f"tasks/{hidden['id']}"))["title"] == "邻街道的机密任务"
    assert await count("projects.outbox_event") == events


async def test_a_dry_run_with_updates_writes_nothing(projects: httpx.AsyncClient, regions: list[str],
                                                     count) -> None:
    own = await project(projects, "UP-OWN")
    (a,) = await tasks(projects, own, 1)
    events, audits = await count("projects.outbox_event"), await count("projects.audit_log")
    data = edited(await export(projects, "tasks"), {a["id"]: {"状态": "已完成"}},
                  append=[{"项目编号": "UP-OWN", "任务名称": "测绘"}])
    r = await upload(projects, "tasks", data, params={"dry_run": "true"})
    assert r.status_code == 200, r.text
    # What the import would do (one new task, one updated), and nothing written.
    assert r.json() == {"kind": "tasks", "rows": 2, "created": 1, "updated": 1, "unchanged": 0, "dry_run": True,
                        "ids": [], "updated_ids": []}
    task = await get(projects, f"tasks/{a['id']}")
    assert (task["status"], task["version"]) == ("in_progress", 1)
    assert await count("projects.task") == 1
    assert await count("projects.outbox_event") == events
    assert await count("projects.audit_log") == audits
    stale = edited(await export(projects, "tasks"), {a["id"]: {"版本": 7}})
    r = await upload(projects, "tasks", stale, params={"dry_run": "true"})
    assert r.status_code == 422
    assert cells(r) == [(2, "版本", "stale")]


async def test_idempotent_update_import(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    own = await project(projects, "UP-OWN")
    (a,) = await tasks(projects, own, 1)
    data = edited(await export(projects, "tasks"), {a["id"]: {"进度（%）": 55}})
    headers = {"Idempotency-Key": "import-tasks-update-0001"}
    first = await upload(projects, "tasks", data, headers=headers)
    assert first.status_code == 200, first.text
    again = await upload(projects, "tasks", data, headers=headers)
    assert again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert (await get(projects, f"tasks/{a['id']}"))["version"] == 2


# --------------------------------------------------------------------------- projects


async def test_reimported_project_sheet_updates_the_project(projects: httpx.AsyncClient, regions: list[str],
                                                            count) -> None:
    first = await project(projects, "UP-001")
    second = await project(projects, "UP-002", region_code="430903002000")
    events, audits = await count("projects.outbox_event", PROJECT_CHANGED), await count("projects.audit_log")
    sheet = await export(projects, "projects")
    data = edited(sheet, {first: {"项目名称": "桃花仑片区棚改（一期）", "计划总投资（元）": "3,650,000,000.50",
                                  "所属片区": None, "行政区划代码": "430903001001"}})
    r = await upload(projects, "projects", data)
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["unchanged"], r.json()["updated_ids"]) == (1, 1, [first])
    got = await get(projects, f"projects/{first}")
    assert (got["name"], got["target_investment"], got["zone"], got["region_code"], got["version"]) == \
        ("桃花仑片区棚改（一期）", "3650000000.50", None, "430903001001", 2)
    assert (await get(projects, f"projects/{second}"))["version"] == 1
    assert await count("projects.outbox_event", PROJECT_CHANGED) == events + 1
    assert await count("projects.audit_log", "action = 'project.update'") == 1
    assert await count("projects.audit_log") == audits + 1
    r = await upload(projects, "projects", await export(projects, "projects"))
    assert r.status_code == 200
    assert (r.json()["updated"], r.json()["unchanged"]) == (0, 2)


async def test_a_formula_without_its_result_never_clears_a_field(projects: httpx.AsyncClient, regions: list[str],
                                                                  count) -> None:
    """An export edited by a program that writes formulas without computing them: 目标户数 =960*2
    and 计划总投资 =SUM(1,2) are refused with their row and column (not read as blank, which
    cleared 960 to null and audited it), and nothing is written; once Excel has stored the
    results, they are what is imported."""
    ident = await project(projects, "UP-001", target_households=960)
    events, audits = await count("projects.outbox_event", PROJECT_CHANGED), await count("projects.audit_log")
    data = edited(await export(projects, "projects"), {ident: {"目标户数": "=960*2", "计划总投资（元）": "=SUM(1,2)"}})
    r = await upload(projects, "projects", data)
    assert r.status_code == 422, r.text
    assert cells(r) == [(2, "目标户数", "formula_not_computed"), (2, "计划总投资（元）", "formula_not_computed")]
    assert r.json()["cells"][0]["message"] == \
        "单元格含公式但没有计算结果，请在 Excel 中重新计算保存后再导入，或填写数值"
    got = await get(projects, f"projects/{ident}")
    assert (got["target_households"], got["target_investment"], got["version"]) == (960, "3650000000.00", 1)
    assert await count("projects.outbox_event", PROJECT_CHANGED) == events
    assert await count("projects.audit_log") == audits

    r = await upload(projects, "projects", with_results(data, {"H2": 1920, "K2": 3}))
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["updated_ids"]) == (1, [ident])
    got = await get(projects, f"projects/{ident}")
    assert (got["target_households"], got["target_investment"], got["version"]) == (1920, "3.00", 2)


async def test_a_projects_code_and_stage_are_not_changed_by_a_sheet(projects: httpx.AsyncClient,
                                                                    regions: list[str], count) -> None:
    first = await project(projects, "UP-001", stage="reserve")
    second = await project(projects, "UP-002", stage="signing")
    third = await project(projects, "UP-003")
    sheet = await export(projects, "projects")
    data = edited(sheet, {first: {"当前阶段": "签约"}, second: {"项目编号": "UP-009"},
                          third: {"当前阶段": None, "项目名称": "改名"}})  # a blank stage changes nothing
    r = await upload(projects, "projects", data)
    assert r.status_code == 422, r.text
    assert cells(r) == [(2, "当前阶段", "not_updatable"), (3, "项目编号", "not_updatable")]
    messages = [c["message"] for c in r.json()["cells"]]
    assert messages == ["阶段变更须通过阶段推进办理，不能通过导入修改（当前阶段：谋划储备）",
                        "项目编号登记后不能修改（现为 UP-002）"]
    assert await count("projects.project", "stage = 'reserve' AND code = 'UP-001'") == 1
    assert await count("projects.audit_log", "action = 'project.update'") == 0


async def test_a_project_moved_out_of_the_callers_region_is_refused(projects: httpx.AsyncClient,
                                                                   regions: list[str]) -> None:
    r = await projects.post(f"{P}/regions", json={"code": "430902001000", "name": "汽车路街道"})
    assert r.status_code == 201
    mine = await project(projects, "UP-001", region_code="430903002000")
    commander = bearer("district_commander", region="430903000000")
    data = edited(await export(projects, "projects", headers=commander), {mine: {"行政区划代码": "430902001000"}})
    r = await upload(projects, "projects", data, headers=commander)
    assert r.status_code == 422
    assert cells(r) == [(2, "行政区划代码", "outside_scope")]


# --------------------------------------------------------------------------- problems


async def test_reimported_problem_sheet_updates_the_problem(projects: httpx.AsyncClient, regions: list[str],
                                                            count) -> None:
    own = await project(projects, "UP-OWN")
    problem = await new(projects, own, "problems", {
        "category": "compensation_dispute", "title": "评估价异议", "description": "三户对评估价有异议",
        "deadline": str(TODAY + 5 * DAY), "registered_on": str(TODAY - 10 * DAY)})
    other = await new(projects, own, "problems", {"category": "funding", "title": "资金缺口",
                                                  "description": "首期资金未到位", "deadline": str(TODAY + 30 * DAY)})
    events = await count("projects.outbox_event", PROBLEM_CHANGED)
    data = edited(await export(projects, "problems"), {problem["id"]: {
        "攻坚措施": "组织复核评估", "清零时限": TODAY + 20 * DAY, "责任人": "王建国"}})
    r = await upload(projects, "problems", data)
    assert r.status_code == 200, r.text
    assert (r.json()["updated"], r.json()["unchanged"], r.json()["updated_ids"]) == (1, 1, [problem["id"]])
    got = await get(projects, f"problems/{problem['id']}")
    assert (got["measure"], got["deadline"], got["owner_name"], got["version"]) == \
        ("组织复核评估", str(TODAY + 20 * DAY), "王建国", 2)
    assert (await get(projects, f"problems/{other['id']}"))["version"] == 1
    assert await count("projects.outbox_event", f"{PROBLEM_CHANGED} AND payload->>'change' = 'changed'") == 1
    assert await count("projects.outbox_event", PROBLEM_CHANGED) == events + 1
    assert await count("projects.audit_log", "action = 'problem.update'") == 1
    assert await count("projects.problem_event", "kind = 'changed' AND problem_id = :p", p=problem["id"]) == 1


async def test_a_problems_status_and_registration_are_not_changed_by_a_sheet(projects: httpx.AsyncClient,
                                                                             regions: list[str], count) -> None:
    own = await project(projects, "UP-OWN")
    problem = await new(projects, own, "problems", {
        "category": "conflict", "title": "邻里纠纷", "description": "两户界址争议", "deadline": str(TODAY + 5 * DAY)})
    sheet = await export(projects, "problems")
    r = await upload(projects, "problems", edited(sheet, {problem["id"]: {"状态": "已销号", "销号说明": "已调解"}}))
    assert r.status_code == 422, r.text
    assert cells(r) == [(2, "状态", "not_updatable")]
    assert r.json()["cells"][0]["message"].startswith("问题状态不能通过导入修改（当前：未销号）")
    r = await upload(projects, "problems", edited(sheet, {problem["id"]: {"挂号日期": TODAY - 3 * DAY}}))
    assert r.status_code == 422
    assert cells(r) == [(2, "挂号日期", "not_updatable")]
    got = await get(projects, f"problems/{problem['id']}")
    assert (got["status"], got["registered_on"], got["version"]) == ("open", str(TODAY), 1)
    assert await count("projects.audit_log", "action = 'problem.update'") == 0


async def test_a_closed_problem_in_a_reimported_sheet(projects: httpx.AsyncClient, regions: list[str],
                                                      count) -> None:
    own = await project(projects, "UP-OWN")
    problem = await new(projects, own, "problems", {
        "category": "conflict", "title": "邻里纠纷", "description": "两户界址争议", "deadline": str(TODAY + 5 * DAY)})
    evidence = await projects.post(f"/api/v1/projects/problems/{problem['id']}/documents",
                                   files={"file": ("调解协议.pdf", b"tiaojie", "application/pdf")})
    assert evidence.status_code == 201, evidence.text
    closing = {"note": "双方签订调解协议", "evidence": [{"document_id": evidence.json()["id"]}]}
    closed = await projects.post(f"/api/v1/projects/problems/{problem['id']}/close", headers={"If-Match": '"1"'},
                                 json=closing)
    assert closed.status_code == 200, closed.text
    sheet = await export(projects, "problems")
    # As exported, the closed problem's row changes nothing.
    same = await upload(projects, "problems", sheet)
    assert same.status_code == 200, same.text
    assert (same.json()["updated"], same.json()["unchanged"]) == (0, 1)
    # Any change to it is refused: a closed problem is reopened in the system first.
    r = await upload(projects, "problems", edited(sheet, {problem["id"]: {"攻坚措施": "再次调解"}}))
    assert r.status_code == 422, r.text
    assert "已销号" in r.json()["cells"][0]["message"]
    got = await get(projects, f"problems/{problem['id']}")
    assert (got["status"], got["measure"], got["version"]) == ("closed", None, closed.json()["version"])
    assert await count("projects.audit_log", "action = 'problem.update'") == 0
