"""Excel import and export of projects: all or nothing, every problem by row and column."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import text

from kernel.auth.principal import SYSTEM, DataScope
from kernel.db.session import Database, apply_scope
from services.projects.sheets.rules import XLSX_MEDIA_TYPE, SheetTooLarge
from services.projects.sheets.service import export_projects
from tests.projects.conftest import project_body
from tests.projects.sheets.formulas import with_results
from tests.support.auth import bearer
from tests.support.sheets import xlsx

SHEETS = "/api/v1/projects/sheets"
PROJECTS = "/api/v1/projects/projects"
HEADERS = ["项目编号", "项目名称", "项目类型", "土地性质", "行政区划代码", "所属片区", "当前阶段", "目标户数",
           "目标征收建筑面积（平方米）", "目标用地面积（亩）", "计划总投资（元）", "征收依据", "记录ID", "版本"]
VOLATILE = ("created_at", "updated_at", "registered_midway")  # the last: only in a mid-way registration's answer


def upload(data: bytes, name: str = "项目.xlsx", media: str = XLSX_MEDIA_TYPE) -> dict[str, Any]:
    return {"file": (name, data, media)}


def rows_of(data: bytes, sheet: str | None = None) -> list[tuple[Any, ...]]:
    book = load_workbook(io.BytesIO(data))
    return [tuple(r) for r in (book[sheet] if sheet else book.worksheets[0]).iter_rows(values_only=True)]


async def import_file(client: httpx.AsyncClient, data: bytes, **kw: Any) -> httpx.Response:
    return await client.post(f"{SHEETS}/projects", files=upload(data), **kw)


async def wipe_projects(db: Database) -> None:
    """Delete every project (the test's outer transaction restores them): an empty scope."""
    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        await session.execute(text("DELETE FROM projects.project"))
        await session.commit()


ROW_OK = ["YY-PG-2024-001", "桃花仑片区棚改", "棚户区改造", "国有土地", "430903001000", "桃花仑片区", "签约",
          1240, 132500, "386.5", 3650000000.00, "（四）", None]


async def test_template_has_the_chinese_headers(projects: httpx.AsyncClient) -> None:
    r = await projects.get(f"{SHEETS}/projects/template", headers=bearer("street_officer", region="430903001000"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == XLSX_MEDIA_TYPE
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    rows = rows_of(r.content)
    assert [h.rstrip("*") for h in rows[0]] == HEADERS
    assert rows[0][0] == "项目编号*"
    assert len(rows) == 1
    notes = rows_of(r.content, "填写说明")
    assert notes[1][:2] == ("项目编号", "是")


async def test_round_trip_recreates_equal_records(projects: httpx.AsyncClient, regions: list[str], db: Database,
                                                  count) -> None:
    bodies = [
        project_body("RT-001", legal_basis="old_town_renewal"),
        project_body("RT-002", name="金银山城中村", type="urban_village", land_path="collective",
                     region_code="430903002000", zone=None, target_households=None, target_floor_area="0.05",
                     target_land_mu=None, target_investment="99999999999999.99", stage="construction"),
        project_body("RT-003", name="梓山湖老旧小区", type="old_compound", region_code="430903001001",
                     target_investment="1280000.10"),
    ]
    originals = {}
    for body in bodies:
        r = await projects.post(PROJECTS, json=body)
        assert r.status_code == 201, r.text
        originals[r.json()["id"]] = r.json()
    exported = await projects.get(f"{SHEETS}/projects")
    assert exported.status_code == 200, exported.text
    assert exported.headers["x-row-count"] == "3"
    rows = rows_of(exported.content)
    assert [h.rstrip("*") for h in rows[0]] == HEADERS
    assert [r[0] for r in rows[1:]] == ["RT-001", "RT-002", "RT-003"]
    assert rows[1][2] == "棚户区改造"
    assert rows[2][6] == "开工"
    assert rows[1][11].startswith("（五）由政府依照城乡规划")
    assert rows[2][11] is None

    await wipe_projects(db)
    assert await count("projects.project") == 0
    r = await import_file(projects, exported.content)
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 3
    assert set(r.json()["ids"]) == set(originals)
    for ident, original in originals.items():
        again = (await projects.get(f"{PROJECTS}/{ident}")).json()
        assert {k: v for k, v in again.items() if k not in VOLATILE} == \
            {k: v for k, v in original.items() if k not in VOLATILE}
    assert rows_of((await projects.get(f"{SHEETS}/projects")).content) == rows


async def test_several_bad_rows_are_all_reported_and_nothing_is_written(projects: httpx.AsyncClient,
                                                                        regions: list[str], count) -> None:
    assert (await projects.post(PROJECTS, json=project_body("TAKEN-001"))).status_code == 201
    before = await count("projects.project")
    audit_before = await count("projects.audit_log")
    data = xlsx(
        HEADERS,
        ROW_OK,
        ["YY-2", "甲", "棚改", None, "430903009000", None, None, -3, None, "1.005", None, "第五项", None],
        ["TAKEN-001", "乙", "征收拆迁", None, "430903001000", None, None, None, None, None, None, "旧城改造", None],
        [None, None, None, None, None, None, None, None, None, None, None, None, None],
        ["YY-PG-2024-001", None, "征收拆迁", "宅基地", "4309030010", None, "立项", 10, "abc", None, None, 5, "x"],
    )
    r = await import_file(projects, data)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "import.invalid"
    assert problem["title"] == "导入文件有误，未导入任何数据"
    assert problem["error_count"] == 12
    cells = [(c["row"], c["column"], c["code"]) for c in problem["cells"]]
    assert cells == [
        (3, "项目类型", "invalid"),
        (3, "行政区划代码", "unknown_region"),
        (3, "目标户数", "invalid"),
        (3, "目标用地面积（亩）", "invalid"),
        (4, "项目编号", "code_taken"),
        (4, "征收依据", "invalid"),
        (6, "项目编号", "duplicate"),
        (6, "项目名称", "required"),
        (6, "土地性质", "invalid"),
        (6, "行政区划代码", "invalid"),
        (6, "目标征收建筑面积（平方米）", "invalid"),
        (6, "记录ID", "invalid"),
    ]
    messages = {(c["row"], c["column"]): c["message"] for c in problem["cells"]}
    assert messages[(3, "行政区划代码")] == "行政区划 430903009000 不存在"
    assert messages[(4, "项目编号")] == "项目编号 TAKEN-001 已存在"
    assert messages[(6, "项目编号")] == "与第 2 行的项目编号重复"
    assert messages[(3, "目标用地面积（亩）")] == "最多保留两位小数"
    assert messages[(6, "项目名称")] == "必填，不能为空"
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert fields["rows.4.code"] == "第 4 行「项目编号」：项目编号 TAKEN-001 已存在"
    assert await count("projects.project") == before
    assert await count("projects.audit_log") == audit_before


async def test_a_new_row_with_a_formula_is_read_by_its_result_or_refused(projects: httpx.AsyncClient,
                                                                         regions: list[str], count) -> None:
    before, audits = await count("projects.project"), await count("projects.audit_log")
    row = [*ROW_OK]
    row[7], row[10] = "=960*2", "=SUM(1,2)"
    data = xlsx(HEADERS[:-1], row)
    r = await import_file(projects, data)
    assert r.status_code == 422, r.text
    assert [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]] == [
        (2, "目标户数", "formula_not_computed"), (2, "计划总投资（元）", "formula_not_computed")]
    assert (await count("projects.project"), await count("projects.audit_log")) == (before, audits)
    r = await import_file(projects, with_results(data, {"H2": 1920, "K2": 3}))
    assert r.status_code == 201, r.text
    got = (await projects.get(f"{PROJECTS}/{r.json()['ids'][0]}")).json()
    assert (got["target_households"], got["target_investment"]) == (1920, "3.00")


async def test_headers_in_another_order_with_spaces(projects: httpx.AsyncClient, regions: list[str]) -> None:
    data = xlsx([" 行政区划代码 ", "项目类型", "项目名称 ", "项目编号*"],
                ["430903002000", "城中村改造", "金银山城中村改造", "YY-CZC-001"],
                [430903001000, "old_compound", "梓山湖小区", "YY-LJ-002"])
    r = await import_file(projects, data)
    assert r.status_code == 201, r.text
    listed = (await projects.get(PROJECTS)).json()["items"]
    got = {p["code"]: (p["region_code"], p["type"], p["land_path"], p["stage"]) for p in listed}
    assert got == {"YY-CZC-001": ("430903002000", "urban_village", "state", "reserve"),
                   "YY-LJ-002": ("430903001000", "old_compound", "state", "reserve")}


async def test_missing_required_and_unknown_columns(projects: httpx.AsyncClient, regions: list[str],
                                                    count) -> None:
    r = await import_file(projects, xlsx(["项目编号", "项目类型", "行政区划代码", "负责人"],
                                         ["YY-1", "征收拆迁", "430903001000", "王建国"]))
    assert r.status_code == 422
    cells = [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]]
    assert cells == [(1, "负责人", "unknown_column"), (1, "项目名称", "missing_column")]
    assert await count("projects.project") == 0


async def test_duplicate_codes_inside_the_file(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    data = xlsx(HEADERS[:5], ["D-001", "甲", "征收拆迁", None, "430903001000"],
                ["D-002", "乙", "征收拆迁", None, "430903001000"], ["D-001", "丙", "征收拆迁", None, "430903001000"],
                ["D-001", "丁", "征收拆迁", None, "430903001000"])
    r = await import_file(projects, data)
    assert r.status_code == 422
    assert [(c["row"], c["message"]) for c in r.json()["cells"]] == \
        [(4, "与第 2 行的项目编号重复"), (5, "与第 2 行的项目编号重复")]
    assert await count("projects.project") == 0


@pytest.mark.parametrize(("name", "media", "content", "code", "field_code"), [
    ("项目.xlsx", XLSX_MEDIA_TYPE, b"PK\x03\x04 truncated", "sheet.unreadable", "unreadable"),
    ("项目.xlsx", XLSX_MEDIA_TYPE, "项目编号,项目名称\nA,B\n".encode(), "sheet.not_xlsx", "not_xlsx"),
    ("项目.csv", "text/csv", "项目编号,项目名称\nA,B\n".encode(), "sheet.not_xlsx", "not_xlsx"),
    ("项目.xlsx", "application/pdf", b"%PDF-1.7", "sheet.not_xlsx", "not_xlsx"),
    ("项目.xls", "application/vnd.ms-excel", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
     "sheet.not_xlsx", "xls_not_supported"),
])
async def test_corrupt_or_foreign_files_are_refused(projects: httpx.AsyncClient, regions: list[str], name: str,
                                                    media: str, content: bytes, code: str, field_code: str) -> None:
    r = await projects.post(f"{SHEETS}/projects", files=upload(content, name, media))
    assert r.status_code == (415 if code == "sheet.not_xlsx" else 422), r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["code"] == code
    assert [e["code"] for e in r.json()["errors"]] == [field_code]


async def test_a_truncated_workbook_is_refused(projects: httpx.AsyncClient, regions: list[str]) -> None:
    good = xlsx(HEADERS, ROW_OK)
    r = await import_file(projects, good[: len(good) - 200])
    assert r.status_code == 422
    assert r.json()["code"] == "sheet.unreadable"


async def test_no_file_and_too_large(projects: httpx.AsyncClient, regions: list[str], projects_app: Any,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    settings = projects_app.state.settings
    r = await projects.post(f"{SHEETS}/projects", data={"x": "1"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "body.file"
    data = xlsx(HEADERS, ROW_OK)
    monkeypatch.setattr(settings, "sheets_max_bytes", len(data) - 1)
    r = await import_file(projects, data)
    assert r.status_code == 413
    assert r.json()["code"] == "sheet.too_large"
    monkeypatch.setattr(settings, "sheets_max_bytes", 20 * 1024 * 1024)
    monkeypatch.setattr(settings, "sheets_import_max_rows", 1)
    r = await import_file(projects, xlsx(HEADERS, ROW_OK, ["YY-2", *ROW_OK[1:]]))
    assert r.status_code == 413
    assert "一次最多导入 1 行" in r.json()["errors"][0]["message"]


async def test_dry_run_reports_without_writing(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    r = await import_file(projects, xlsx(HEADERS, ROW_OK), params={"dry_run": "true"})
    assert r.status_code == 200, r.text
    # What the import would do, and nothing written.
    assert r.json() == {"kind": "projects", "rows": 1, "created": 1, "updated": 0, "unchanged": 0, "dry_run": True,
                        "ids": [], "updated_ids": []}
    assert await count("projects.project") == 0
    bad = await import_file(projects, xlsx(HEADERS, [*ROW_OK[:4], "430903009000", *ROW_OK[5:]]),
                            params={"dry_run": "true"})
    assert bad.status_code == 422
    assert [c["code"] for c in bad.json()["cells"]] == ["unknown_region"]


async def test_idempotent_import(projects: httpx.AsyncClient, regions: list[str], count) -> None:
    data = xlsx(HEADERS, ROW_OK)
    # Each request gets its own multipart boundary, as a client's retry would: the same parts replay.
    headers = {"Idempotency-Key": "import-projects-0001"}
    first = await import_file(projects, data, headers=headers)
    assert first.status_code == 201, first.text
    again = await import_file(projects, data, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert await count("projects.project") == 1
    other = await import_file(projects, xlsx(HEADERS, ROW_OK, ROW_OK), headers=headers)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"


async def test_a_district_commander_cannot_import_into_another_district(projects: httpx.AsyncClient,
                                                                       regions: list[str], count) -> None:
    r = await projects.post("/api/v1/projects/regions", json={"code": "430902001000", "name": "汽车路街道"})
    assert r.status_code == 201
    commander = bearer("district_commander", region="430903000000")
    data = xlsx(HEADERS[:5],
                ["S-001", "赫山区项目", "征收拆迁", None, "430903001000"],
                ["S-002", "资阳区项目", "征收拆迁", None, "430902001000"],
                ["S-003", "资阳区项目二", "征收拆迁", None, "430902000000"])
    r = await import_file(projects, data, headers=commander)
    assert r.status_code == 422
    assert [(c["row"], c["column"], c["code"]) for c in r.json()["cells"]] == [
        (3, "行政区划代码", "outside_scope"), (4, "行政区划代码", "outside_scope")]
    assert r.json()["cells"][0]["message"] == "行政区划 430902001000 不在您的管辖范围内"
    assert await count("projects.project") == 0
    ok = await import_file(projects, xlsx(HEADERS[:5], ["S-001", "赫山区项目", "征收拆迁", None, "430903002000"]),
                           headers=commander)
    assert ok.status_code == 201, ok.text
    assert await count("projects.project", "code = 'S-001'") == 1


@pytest.mark.parametrize("role", ["street_officer", "taskforce_member", "field_worker", "auditor",
                                  "finance_officer", "housing_officer"])
async def test_import_needs_projects_write(projects: httpx.AsyncClient, regions: list[str], count,
                                           role: str) -> None:
    r = await import_file(projects, xlsx(HEADERS, ROW_OK), headers=bearer(role, region="430903001000"))
    assert r.status_code == 403
    assert r.json()["code"] == "auth.forbidden"
    assert await count("projects.project") == 0
    r = await projects.get(f"{SHEETS}/projects", headers=bearer(role, region="430903001000"))
    assert r.status_code == 200


@pytest.mark.parametrize("role", ["resident", "integration"])
async def test_export_needs_projects_read(projects: httpx.AsyncClient, role: str) -> None:
    kind = "client" if role == "integration" else "user"
    r = await projects.get(f"{SHEETS}/projects", headers=bearer(role, kind=kind, region="430903001000"))
    assert r.status_code == 403
    r = await projects.get(f"{SHEETS}/projects/template", headers=bearer(role, kind=kind, region="430903001000"))
    assert r.status_code == 403


async def test_export_is_scoped_and_filtered(projects: httpx.AsyncClient, regions: list[str]) -> None:
    for code, region, stage in [("E-1", "430903001000", "reserve"), ("E-2", "430903001001", "signing"),
                                ("E-3", "430903002000", "signing"), ("E-4", "430902000000", "reserve")]:
        assert (await projects.post(PROJECTS, json=project_body(code, region_code=region, stage=stage))).status_code \
            == 201

    async def codes(headers: dict[str, str] | None = None, **params: str) -> list[str]:
        r = await projects.get(f"{SHEETS}/projects", params=params, headers=headers or {})
        assert r.status_code == 200, r.text
        return [row[0] for row in rows_of(r.content)[1:]]

    officer = bearer("street_officer", region="430903001000")
    assert await codes(officer) == ["E-1", "E-2"]
    assert await codes(officer, stage="signing") == ["E-2"]
    assert await codes(bearer("district_commander", region="430903000000")) == ["E-1", "E-2", "E-3"]
    assert await codes(region_prefix="430903", stage="signing") == ["E-2", "E-3"]
    assert await codes(type="old_compound") == []
    r = await projects.get(f"{SHEETS}/projects", params={"region_prefix": "43x"})
    assert r.status_code == 422


async def test_export_is_bounded(projects: httpx.AsyncClient, regions: list[str], db: Database) -> None:
    for i in range(3):
        assert (await projects.post(PROJECTS, json=project_body(f"B-{i}"))).status_code == 201
    async with db.sessionmaker() as session:
        await apply_scope(session, DataScope.everything())
        assert (await export_projects(session, SYSTEM, max_rows=3)).rows == 3
        with pytest.raises(SheetTooLarge) as info:
            await export_projects(session, SYSTEM, max_rows=2)
    assert "超过 2 行" in info.value.errors[0].message


async def test_a_code_taken_outside_the_callers_scope_is_reported_on_its_row(projects: httpx.AsyncClient,
                                                                           regions: list[str], count) -> None:
    """Row-level security hides the other district's project from every look-up; the insert's
    unique constraint still catches it, and the row says so (nothing else is written)."""
    assert (await projects.post(PROJECTS, json=project_body("HIDDEN-001", region_code="430902000000"))).status_code \
        == 201
    commander = bearer("district_commander", region="430903000000")
    data = xlsx(HEADERS[:5], ["OK-001", "甲", "征收拆迁", None, "430903001000"],
                ["HIDDEN-001", "乙", "征收拆迁", None, "430903002000"])
    r = await import_file(projects, data, headers=commander)
    assert r.status_code == 422, r.text
    assert [(c["row"], c["column"], c["message"]) for c in r.json()["cells"]] == [(3, "项目编号", "项目编号已存在")]
    assert await count("projects.project") == 1
