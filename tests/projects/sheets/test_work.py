"""Excel import and export of tasks (任务清单) and problems (问题清单): all or nothing, scoped."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import text

from kernel import calendar
from kernel.auth.principal import DataScope
from kernel.db.session import Database, apply_scope
from services.projects.sheets.rules import XLSX_MEDIA_TYPE
from tests.projects.conftest import project_body
from tests.support.auth import bearer
from tests.support.sheets import xlsx

TODAY = calendar.today()
DAY = dt.timedelta(days=1)
P = "/api/v1/projects"
SHEETS = f"{P}/sheets"
VOLATILE = ("created_at", "updated_at")
TASK_HEADERS = ["项目编号", "项目名称", "任务名称", "任务类型", "任务内容", "责任人", "责任单位", "计划开始日期",
                "计划完成日期", "实际开始日期", "实际完成日期", "状态", "进度（%）", "工期（天）", "按工作日计",
                "批复文号", "审批机关", "批复日期", "是否逾期", "记录ID", "版本"]
PROBLEM_HEADERS = ["项目编号", "项目名称", "问题类别", "问题标题", "问题描述", "攻坚措施", "责任人", "责任单位",
                   "清零时限", "挂号日期", "状态", "销号日期", "销号说明", "是否逾期", "记录ID", "版本"]
OFFICER = "430903001000"  # 桃花仑街道


def rows_of(data: bytes) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)]


async def upload(client: httpx.AsyncClient, kind: str, data: bytes, **kw: Any) -> httpx.Response:
    return await client.post(f"{SHEETS}/{kind}", files={"file": (f"{kind}.xlsx", data, XLSX_MEDIA_TYPE)}, **kw)


async def wipe(db: Database, *tables: str) -> None:
    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        for table in tables:
            await session.execute(text(f"DELETE FROM projects.{table}"))
        await session.commit()


@pytest.fixture
async def work(projects: httpx.AsyncClient, regions: list[str]) -> dict[str, str]:
    """Two projects: one in the officer's sub-district, one in the sibling sub-district."""
    ids = {}
    for code, region in [("WK-OWN", OFFICER), ("WK-SIB", "430903002000")]:
        r = await projects.post(f"{P}/projects", json=project_body(code, region_code=region))
        assert r.status_code == 201, r.text
        ids[code] = r.json()["id"]
    return ids


async def new(projects: httpx.AsyncClient, project: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    r = await projects.post(f"{P}/projects/{project}/{kind}", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


# --------------------------------------------------------------------------- tasks


async def test_task_round_trip(projects: httpx.AsyncClient, work: dict[str, str], db: Database, count) -> None:
    own, sib = work["WK-OWN"], work["WK-SIB"]
    originals = [
        await new(projects, own, "tasks", {
            "title": "入户调查登记", "description": "逐户核实产权和面积", "owner_name": "刘建军",
            "owner_unit_name": "桃花仑街道办事处", "planned_start": str(TODAY - 40 * DAY),
            "planned_end": str(TODAY - 5 * DAY), "status": "in_progress", "progress": 60, "duration_days": 25,
            "working_days": True}),
        await new(projects, own, "tasks", {
            "title": "项目立项批复", "kind": "project_approval", "document_number": "益发改审〔2026〕118号",
            "approving_authority": "益阳市发展和改革委员会", "approved_on": str(TODAY - 3 * DAY),
            "status": "done", "actual_start": str(TODAY - 20 * DAY), "actual_end": str(TODAY - 3 * DAY)}),
        await new(projects, sib, "tasks", {"title": "征收补偿方案公示"}),
    ]
    exported = await projects.get(f"{SHEETS}/tasks")
    assert exported.status_code == 200, exported.text
    rows = rows_of(exported.content)
    assert [h.rstrip("*") for h in rows[0]] == TASK_HEADERS
    by_title = {r[2]: r for r in rows[1:]}
    assert by_title["入户调查登记"][:2] == ("WK-OWN", "桃花仑片区棚改")
    assert by_title["入户调查登记"][8] == dt.datetime.combine(TODAY - 5 * DAY, dt.time())
    assert by_title["入户调查登记"][14] == "是"
    assert by_title["入户调查登记"][18] == "是"  # overdue
    assert by_title["项目立项批复"][3:4] == ("立项",)
    assert by_title["征收补偿方案公示"][0] == "WK-SIB"
    one_project = rows_of((await projects.get(f"{SHEETS}/tasks", params={"project_id": sib})).content)
    assert [r[2] for r in one_project[1:]] == ["征收补偿方案公示"]

    await wipe(db, "task")
    r = await upload(projects, "tasks", exported.content)
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 3
    for original in originals:
        again = (await projects.get(f"{P}/tasks/{original['id']}")).json()
        assert {k: v for k, v in again.items() if k not in VOLATILE} == \
            {k: v for k, v in original.items() if k not in VOLATILE}
    assert rows_of((await projects.get(f"{SHEETS}/tasks")).content) == rows
    assert await count("projects.audit_log", "action = 'task.create'") == 6


async def test_bad_task_rows_are_all_reported(projects: httpx.AsyncClient, work: dict[str, str], count) -> None:
    await new(projects, work["WK-OWN"], "tasks", {"title": "已有任务"})
    before = await count("projects.task")
    events_before = await count("projects.outbox_event")
    data = xlsx(
        [h for h in TASK_HEADERS[:13] if h != "项目名称"],
        ["WK-OWN", "入户调查", "一般任务", None, "刘建军", None, str(TODAY), str(TODAY + 9 * DAY), None, None, None,
         10],
        ["WK-NONE", "测绘", None, None, None, None, str(TODAY + 5 * DAY), str(TODAY), None, None, None, 150],
        ["WK-OWN", "评估", "稳评", None, None, None, "下周", None, None, None, "进行中", None],
        ["WK-OWN", None, "环评", None, None, None, str(TODAY + 5 * DAY), str(TODAY), None,
         str(TODAY + 2 * DAY), None, None],
    )
    r = await upload(projects, "tasks", data)
    assert r.status_code == 422, r.text
    cells = [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]]
    assert cells == [
        (3, "项目编号", "unknown_project"),
        (3, "计划完成日期", "before_start"),
        (3, "进度（%）", "invalid"),
        (4, "任务类型", "invalid"),
        (4, "计划开始日期", "invalid"),
        (4, "状态", "invalid"),
        (5, "任务名称", "required"),
        (5, "计划完成日期", "before_start"),
        (5, "实际完成日期", "in_future"),
    ]
    assert r.json()["cells"][0]["message"] == "项目 WK-NONE 不存在或不在您的管辖范围内"
    assert await count("projects.task") == before
    assert await count("projects.outbox_event") == events_before


async def test_approval_fields_only_on_approvals(projects: httpx.AsyncClient, work: dict[str, str], count) -> None:
    data = xlsx(["项目编号", "任务名称", "任务类型", "批复文号", "批复日期"],
                ["WK-OWN", "立项", "立项", "益发改审〔2026〕1号", TODAY - DAY],
                ["WK-OWN", "拆除", None, "益发改审〔2026〕2号", None])
    r = await upload(projects, "tasks", data)
    assert r.status_code == 422
    assert [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]] == [(3, "批复文号", "approval_only")]
    assert await count("projects.task") == 0
    ok = await upload(projects, "tasks", xlsx(["项目编号", "任务名称", "任务类型", "批复文号", "批复日期"],
                                              ["WK-OWN", "立项", "立项", "益发改审〔2026〕1号", TODAY - DAY]))
    assert ok.status_code == 201, ok.text
    task = (await projects.get(f"{P}/tasks/{ok.json()['ids'][0]}")).json()
    assert (task["kind"], task["document_number"], task["approved_on"]) == \
        ("project_approval", "益发改审〔2026〕1号", str(TODAY - DAY))


async def test_task_import_is_scoped_per_row(projects: httpx.AsyncClient, work: dict[str, str], count) -> None:
    officer = bearer("street_officer", region=OFFICER)
    data = xlsx(["项目编号", "任务名称"], ["WK-OWN", "入户调查"], ["WK-SIB", "邻街道的任务"], ["WK-OWN", "测绘"])
    r = await upload(projects, "tasks", data, headers=officer)
    assert r.status_code == 422
    assert [(c["row"], c["column"], c["message"]) for c in r.json()["cells"]] == \
        [(3, "项目编号", "项目 WK-SIB 不存在或不在您的管辖范围内")]
    assert await count("projects.task") == 0
    force = bearer("taskforce_member", region=None, projects=[work["WK-SIB"]])
    r = await upload(projects, "tasks", xlsx(["项目编号", "任务名称"], ["WK-SIB", "专班任务"]), headers=force)
    assert r.status_code == 201, r.text
    r = await upload(projects, "tasks", xlsx(["项目编号", "任务名称"], ["WK-OWN", "不是本专班的"]), headers=force)
    assert r.status_code == 422
    assert await count("projects.task") == 1


async def test_task_export_is_scoped_and_filtered(projects: httpx.AsyncClient, work: dict[str, str]) -> None:
    await new(projects, work["WK-OWN"], "tasks", {"title": "逾期任务", "planned_end": str(TODAY - DAY)})
    await new(projects, work["WK-OWN"], "tasks", {"title": "未到期", "planned_end": str(TODAY + DAY)})
    await new(projects, work["WK-SIB"], "tasks", {"title": "邻街道逾期", "planned_end": str(TODAY - 2 * DAY)})
    officer = bearer("street_officer", region=OFFICER)

    async def titles(headers: dict[str, str] | None = None, **params: str) -> list[str]:
        r = await projects.get(f"{SHEETS}/tasks", params=params, headers=headers or {})
        assert r.status_code == 200, r.text
        return [row[2] for row in rows_of(r.content)[1:]]

    assert await titles() == ["邻街道逾期", "逾期任务", "未到期"]
    assert await titles(overdue="true") == ["邻街道逾期", "逾期任务"]
    assert await titles(officer) == ["逾期任务", "未到期"]
    assert await titles(officer, overdue="false") == ["未到期"]
    hidden = await projects.get(f"{SHEETS}/tasks", params={"project_id": work["WK-SIB"]}, headers=officer)
    assert hidden.status_code == 404
    assert hidden.json()["code"] == "project.not_found"


async def test_what_a_user_typed_exports_as_text(projects: httpx.AsyncClient, work: dict[str, str],
                                                 db: Database) -> None:
    """A title that reads like a formula stays text; a control character (stored before the API
    refused them: an app's bad keyboard) does not break the export of everyone's list."""
    await new(projects, work["WK-OWN"], "tasks", {"title": '=HYPERLINK("http://example.com","点此")'})
    typed = await new(projects, work["WK-OWN"], "tasks", {"title": "入户调查"})
    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        await session.execute(text("UPDATE projects.task SET title = :t WHERE id = :i"),
                              {"t": "入户\x17调查", "i": typed["id"]})
        await session.commit()
    r = await projects.get(f"{SHEETS}/tasks")
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).worksheets[0]
    cells = {c.value: c.data_type for c in sheet["C"][1:]}
    assert cells == {'=HYPERLINK("http://example.com","点此")': "s", "入户调查": "s"}


@pytest.mark.parametrize(("role", "tasks", "problems"), [
    ("street_officer", 201, 201), ("taskforce_member", 201, 201), ("district_commander", 201, 201),
    ("field_worker", 403, 201), ("auditor", 403, 403), ("housing_officer", 403, 403), ("finance_officer", 403, 403),
])
async def test_import_needs_the_write_permission_of_its_kind(projects: httpx.AsyncClient, work: dict[str, str],
                                                             count, role: str, tasks: int, problems: int) -> None:
    headers = bearer(role, region=OFFICER, projects=[work["WK-OWN"]])
    r = await upload(projects, "tasks", xlsx(["项目编号", "任务名称"], ["WK-OWN", "入户调查"]), headers=headers)
    assert r.status_code == tasks, r.text
    r = await upload(projects, "problems", xlsx(["项目编号", "问题类别", "问题标题", "问题描述", "清零时限"],
                                                ["WK-OWN", "补偿争议", "评估价异议", "三户对评估价有异议",
                                                 TODAY + 10 * DAY]), headers=headers)
    assert r.status_code == problems, r.text
    assert await count("projects.task") == (1 if tasks == 201 else 0)
    assert await count("projects.problem") == (1 if problems == 201 else 0)


# --------------------------------------------------------------------------- problems


async def test_problem_round_trip(projects: httpx.AsyncClient, work: dict[str, str], db: Database) -> None:
    originals = [
        await new(projects, work["WK-OWN"], "problems", {
            "category": "compensation_dispute", "title": "评估价异议", "description": "三户对评估价有异议",
            "measure": "组织复核评估", "owner_name": "王建国", "owner_unit_name": "桃花仑街道办事处",
            "deadline": str(TODAY - 2 * DAY), "registered_on": str(TODAY - 20 * DAY)}),
        await new(projects, work["WK-SIB"], "problems", {
            "category": "funding", "title": "征收资金缺口", "description": "首期资金未到位",
            "deadline": str(TODAY + 30 * DAY)}),
    ]
    exported = await projects.get(f"{SHEETS}/problems")
    assert exported.status_code == 200, exported.text
    rows = rows_of(exported.content)
    assert [h.rstrip("*") for h in rows[0]] == PROBLEM_HEADERS
    assert [(r[0], r[1], r[2], r[10], r[13]) for r in rows[1:]] == [
        ("WK-OWN", "桃花仑片区棚改", "补偿争议", "未销号", "是"), ("WK-SIB", "桃花仑片区棚改", "资金", "未销号", "否")]
    await wipe(db, "problem_event", "problem")
    r = await upload(projects, "problems", exported.content)
    assert r.status_code == 201, r.text
    for original in originals:
        again = (await projects.get(f"{P}/problems/{original['id']}")).json()
        assert {k: v for k, v in again.items() if k not in VOLATILE} == \
            {k: v for k, v in original.items() if k not in VOLATILE}
    assert rows_of((await projects.get(f"{SHEETS}/problems")).content) == rows


async def test_bad_problem_rows_are_all_reported(projects: httpx.AsyncClient, work: dict[str, str], count) -> None:
    data = xlsx(
        [h for h in PROBLEM_HEADERS[:11] if h != "项目名称"],
        ["WK-OWN", "补偿争议", "评估价异议", "三户有异议", None, None, None, TODAY + 5 * DAY, None, None],
        ["WK-OWN", "安置房源", "房源不足", "户型不够", None, None, None, TODAY - 5 * DAY, TODAY - DAY, None],
        ["WK-OWN", "政策诉求", "过渡费", "要求提高过渡费", None, None, None, TODAY + 5 * DAY, TODAY + DAY, "未销号"],
        ["WK-OWN", "矛盾纠纷", "邻里纠纷", "已调解", None, None, None, TODAY + 5 * DAY, None, "已销号"],
        ["WK-XX", None, "无类别", None, None, None, None, "明天", None, None],
    )
    r = await upload(projects, "problems", data)
    assert r.status_code == 422, r.text
    assert [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]] == [
        (3, "清零时限", "before_registration"),
        (4, "挂号日期", "in_future"),
        (5, "状态", "closed"),
        (6, "项目编号", "unknown_project"),
        (6, "问题类别", "required"),
        (6, "问题描述", "required"),
        (6, "清零时限", "invalid"),
    ]
    assert r.json()["error_count"] == 7
    assert await count("projects.problem") == 0
    assert await count("projects.problem_event") == 0


async def test_work_sheets_name_the_project_filter_and_print(projects: httpx.AsyncClient, work: dict[str, str],
                                                              count) -> None:
    """Task and problem sheets carry the project's code and name (项目名称 is for reading: an import
    ignores it, a changed one changes nothing; the project is the one its code names); every
    exported sheet has an autofilter on its header row and prints landscape, one page wide, the
    header row repeated on every page."""
    await new(projects, work["WK-OWN"], "tasks", {"title": "入户调查登记"})
    await new(projects, work["WK-SIB"], "problems", {"category": "funding", "title": "资金缺口",
                                                     "description": "首期未到位", "deadline": str(TODAY + 9 * DAY)})
    name = project_body()["name"]
    for kind, code, width in [("tasks", "WK-OWN", len(TASK_HEADERS)), ("problems", "WK-SIB", len(PROBLEM_HEADERS))]:
        exported = await projects.get(f"{SHEETS}/{kind}")
        assert exported.status_code == 200, exported.text
        book = load_workbook(io.BytesIO(exported.content))
        sheet = book.worksheets[0]
        header = [str(c.value).rstrip("*") for c in sheet[1]]
        assert header[:2] == ["项目编号", "项目名称"]
        assert (sheet["A2"].value, sheet["B2"].value) == (code, name)
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(width)}2"
        assert (sheet.page_setup.orientation, sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == \
            ("landscape", 1, 0)
        assert sheet.sheet_properties.pageSetUpPr is not None
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$1"
        notes = {r[0]: r[2] for r in book["填写说明"].iter_rows(values_only=True)}
        assert "导入时忽略" in str(notes["项目名称"])

        # Re-imported with the project's name changed: nothing changes (the project is its code's).
        sheet["B2"].value = "另一个项目"
        out = io.BytesIO()
        book.save(out)
        audits = await count("projects.audit_log")
        r = await upload(projects, kind, out.getvalue())
        assert r.status_code == 200, r.text
        assert (r.json()["updated"], r.json()["unchanged"]) == (0, 1)
        assert await count("projects.audit_log") == audits
        # The project's code still may not change.
        sheet["A2"].value = "WK-OWN" if code == "WK-SIB" else "WK-SIB"
        out = io.BytesIO()
        book.save(out)
        r = await upload(projects, kind, out.getvalue())
        assert r.status_code == 422, r.text
        assert [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]] == [(2, "项目编号", "not_updatable")]

    # The template has the column too; a new row may fill it in or leave it blank.
    template = await projects.get(f"{SHEETS}/tasks/template")
    assert [h.rstrip("*") for h in rows_of(template.content)[0]] == TASK_HEADERS
    r = await upload(projects, "tasks", xlsx(["项目编号", "项目名称", "任务名称"], ["WK-OWN", "随便写的", "签约动员"],
                                             ["WK-SIB", None, "房屋评估"]))
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 2


async def test_problem_export_filters_and_template(projects: httpx.AsyncClient, work: dict[str, str]) -> None:
    await new(projects, work["WK-OWN"], "problems", {"category": "funding", "title": "资金", "description": "缺口",
                                                     "deadline": str(TODAY + 3 * DAY)})
    await new(projects, work["WK-SIB"], "problems", {"category": "conflict", "title": "纠纷", "description": "邻里",
                                                     "deadline": str(TODAY + 30 * DAY)})
    r = await projects.get(f"{SHEETS}/problems", params={"due_within_days": 10})
    assert [row[3] for row in rows_of(r.content)[1:]] == ["资金"]
    r = await projects.get(f"{SHEETS}/problems", params={"category": "conflict"})
    assert [row[3] for row in rows_of(r.content)[1:]] == ["纠纷"]
    r = await projects.get(f"{SHEETS}/problems", headers=bearer("street_officer", region=OFFICER))
    assert [row[3] for row in rows_of(r.content)[1:]] == ["资金"]
    for kind, headers in [("tasks", TASK_HEADERS), ("problems", PROBLEM_HEADERS)]:
        template = await projects.get(f"{SHEETS}/{kind}/template")
        assert template.status_code == 200
        assert [h.rstrip("*") for h in rows_of(template.content)[0]] == headers
    dry = await upload(projects, "problems", xlsx(["项目编号", "问题类别", "问题标题", "问题描述", "清零时限"],
                                                  ["WK-OWN", "资金", "二期资金", "未到位", TODAY + 9 * DAY]),
                       params={"dry_run": "true"})
    assert dry.status_code == 200
    assert (dry.json()["created"], dry.json()["ids"]) == (1, [])
