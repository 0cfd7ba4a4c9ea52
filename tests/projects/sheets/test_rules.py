"""The generic spreadsheet reader and writer (no database)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from contracts.projects import ProjectType
from services.projects.sheets.rules import (
    CellError,
    Column,
    SheetIssue,
    SheetLimits,
    SheetNotXlsx,
    SheetSpec,
    SheetTooLarge,
    SheetUnreadable,
    bool_cell,
    check_upload,
    date_cell,
    decimal_cell,
    enum_cell,
    integer_cell,
    read_sheet,
    text_cell,
    write_sheet,
)
from services.projects.sheets.vocabulary import PROJECT_SHEET
from tests.projects.sheets.formulas import with_results
from tests.support.sheets import xlsx

PROJECT_TYPE_LABELS = ProjectType.labels()

SPEC = SheetSpec("demo", "示例", (
    Column("编号", "code", text_cell(max_length=8), required=True),
    Column("类型", "type", enum_cell(PROJECT_TYPE_LABELS)),
    Column("日期", "day", date_cell()),
    Column("金额（元）", "amount", decimal_cell(), number_format="#,##0.00"),
    Column("户数", "households", integer_cell(maximum=100)),
))


# --------------------------------------------------------------------------- cells


@pytest.mark.parametrize("raw", [
    dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 15, 30), dt.date(2024, 3, 1),
    "2024-03-01", "2024-3-1", "2024/3/1", "2024/03/01", "2024.3.1", "2024年3月1日", "2024 年 3 月 1 日",
    "20240301", 20240301, "2024-03-01 08:00:00", "2024-03-01T08:00:00", "2024-03-01 8:00", 45352, 45352.0, 45352.75,
])
def test_dates_in_every_accepted_form(raw: Any) -> None:
    assert date_cell()(raw) == dt.date(2024, 3, 1)


@pytest.mark.parametrize("raw", ["2024-02-30", "明天", "03/01/2024", "2024-03-01 上午", "2024-13-01", True, 0, 12.5e9])
def test_bad_dates_are_refused_in_chinese(raw: Any) -> None:
    with pytest.raises(CellError) as info:
        date_cell()(raw)
    assert "日期" in info.value.message


@pytest.mark.parametrize(("raw", "want"), [
    (1280000, "1280000.00"), (1280000.5, "1280000.50"), ("1,280,000.50", "1280000.50"), ("86.5", "86.50"),
    (0.1 + 0.2, "0.30"), ("0", "0.00"), (" 12 ", "12.00"), (99999999999999, "99999999999999.00"),
])
def test_decimals_take_two_places(raw: Any, want: str) -> None:
    assert decimal_cell()(raw) == Decimal(want)


@pytest.mark.parametrize(("raw", "message"), [
    (1.005, "最多保留两位小数"), ("1.005", "最多保留两位小数"), (-1, "不能为负数"), ("-3.00", "不能为负数"),
    ("一百", "应为数值"), ("1e5", "应为数值"), (True, "应为数值"), (float("nan"), "应为数值"),
    (Decimal("1e14"), "应为数值"), (100000000000000, "数值过大"),
])
def test_bad_decimals(raw: Any, message: str) -> None:
    with pytest.raises(CellError) as info:
        decimal_cell()(raw)
    assert info.value.message == message


def test_enums_by_chinese_label_or_code() -> None:
    parse = enum_cell(PROJECT_TYPE_LABELS)
    assert parse("棚户区改造") is ProjectType.shantytown
    assert parse("城中村 改造") is ProjectType.urban_village
    assert parse("old_compound") is ProjectType.old_compound
    with pytest.raises(CellError) as info:
        parse("棚改")
    assert "棚户区改造、城中村改造" in info.value.message


def test_integers_and_text() -> None:
    assert integer_cell()(12.0) == 12
    assert integer_cell()("1,240") == 1240
    for bad in (12.5, "十二", -1, True):
        with pytest.raises(CellError):
            integer_cell()(bad)
    code = text_cell(max_length=12, pattern=r"[0-9]{12}", pattern_hint="应为 12 位数字")
    assert code(430903001000) == "430903001000"  # typed as a number, taken as written
    assert code(430903001000.0) == "430903001000"
    with pytest.raises(CellError, match="应为 12 位数字"):
        code("43090300100")
    with pytest.raises(CellError, match="不能超过 3 个字"):
        text_cell(max_length=3)("桃花仑街")
    assert text_cell(max_length=8, upper=True)("yy-1") == "YY-1"


def test_booleans_and_enum_aliases() -> None:
    for raw in ("是", "Y", "true", True, 1, 1.0, "√"):
        assert bool_cell()(raw) is True
    for raw in ("否", "n", "FALSE", False, 0, "×"):
        assert bool_cell()(raw) is False
    with pytest.raises(CellError, match="应为“是”或“否”"):
        bool_cell()("可能")
    parse = enum_cell(PROJECT_TYPE_LABELS, aliases={"棚改": ProjectType.shantytown})
    assert parse("棚改") is ProjectType.shantytown


def test_uploads_that_are_plainly_no_xlsx() -> None:
    check_upload("项目.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04")
    check_upload("项目.xlsx", "application/octet-stream", b"PK\x03\x04")
    check_upload(None, None, b"PK\x03\x04")
    for name, media, data in [("a.xls", "", b""), ("a", "application/vnd.ms-excel", b""),
                              ("a.bin", "", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), ("a.csv", "", b""),
                              ("a.xlsx", "text/csv; charset=utf-8", b"")]:
        with pytest.raises(SheetNotXlsx):
            check_upload(name, media, data)


def test_export_only_columns_are_ignored_on_import() -> None:
    spec = SheetSpec("demo", "示例", (*SPEC.columns, Column("是否逾期", "overdue", bool_cell(), export_only=True)))
    sheet = read_sheet(xlsx(["编号", "是否逾期"], ["A1", "不是布尔值"]), spec)
    assert sheet.issues == []
    assert sheet.rows[0].values["overdue"] is None


def test_required_and_blank() -> None:
    column = SPEC.column("code")
    with pytest.raises(CellError, match="必填"):
        column.read("  ")
    assert SPEC.column("day").read(None) is None
    assert SPEC.column("day").read("   ") is None


# --------------------------------------------------------------------------- reading


def test_reads_rows_with_excel_row_numbers_and_skips_blank_rows() -> None:
    data = xlsx(
        ["编号", "类型", "日期", "金额（元）", "户数"],
        ["A1", "棚户区改造", dt.datetime(2024, 3, 1), 1280000.5, 12],
        [None, None, None, None, None],
        ["  ", None, "", None, None],
        ["A2", "城中村改造", "2024/3/2", "86.5", None],
    )
    sheet = read_sheet(data, SPEC)
    assert sheet.issues == []
    assert sheet.header_row == 1
    assert [r.number for r in sheet.rows] == [2, 5]
    assert sheet.rows[0].values == {"code": "A1", "type": ProjectType.shantytown, "day": dt.date(2024, 3, 1),
                                     "amount": Decimal("1280000.50"), "households": 12}
    assert sheet.rows[1].values["households"] is None


def test_headers_in_any_order_with_spaces_stars_and_a_title_above() -> None:
    data = xlsx(
        ["2024 年项目清单"],
        [" 户数 ", "金额 （元）", "编号*", None, "类型"],
        [3, "5", "B1", "忽略", "征收拆迁"],
    )
    sheet = read_sheet(data, SPEC)
    assert sheet.issues == []
    assert sheet.header_row == 2
    assert sheet.rows[0].values == {"code": "B1", "type": ProjectType.expropriation, "day": None,
                                    "amount": Decimal("5.00"), "households": 3}


def test_every_problem_is_reported_with_row_and_column() -> None:
    data = xlsx(
        ["编号", "类型", "日期", "户数", "备注"],
        ["A1", "棚改", "昨天", 12, "x"],
        [None, "征收拆迁", "2024-01-01", 101, None],
        ["A3", "征收拆迁", "2024-01-01", 1, None],
    )
    sheet = read_sheet(data, SPEC)
    assert sorted(sheet.issues) == [
        SheetIssue(1, "备注", "无法识别的列，请使用模板中的列名", "unknown_column"),
        SheetIssue(2, "日期", "应为日期，如 2024-03-01"),
        SheetIssue(2, "类型", "应为以下之一：" + "、".join(PROJECT_TYPE_LABELS.values())),
        SheetIssue(3, "户数", "不能大于 100"),
        SheetIssue(3, "编号", "必填，不能为空", "required"),
    ]
    assert [r.number for r in sheet.rows] == [2, 3, 4]
    assert sheet.rows[0].bad == {"type", "day"}
    assert sheet.rows[2].bad == frozenset()
    error = sorted(sheet.issues)[0].field_error("note")
    assert (error.field, error.code, error.message) == \
        ("rows.1.note", "unknown_column", "第 1 行「备注」：无法识别的列，请使用模板中的列名")


def test_missing_required_and_repeated_columns() -> None:
    sheet = read_sheet(xlsx(["类型", "日期", "日期"], ["征收拆迁", "2024-01-01", "2024-01-02"]), SPEC)
    assert SheetIssue(1, "编号", "缺少必填列", "missing_column") in sheet.issues
    assert SheetIssue(1, "日期", "列重复", "duplicate_column") in sheet.issues
    assert sheet.rows[0].values["day"] == dt.date(2024, 1, 1)


def test_no_header_at_all() -> None:
    sheet = read_sheet(xlsx(["甲", "乙"], [1, 2]), SPEC)
    assert [(i.row, i.column) for i in sheet.issues] == [(1, None)]
    assert "编号" in sheet.issues[0].message


NOT_COMPUTED = "单元格含公式但没有计算结果，请在 Excel 中重新计算保存后再导入，或填写数值"


def test_a_formula_is_read_by_its_result_or_refused_never_as_blank() -> None:
    """Row 2: formulas without results (as a program that does not compute writes them) in every
    kind of cell are refused, each with its row and column: the row is no blank row. Row 3: the
    same formulas with the results Excel stores are read by their results. Row 4: a formula
    that computed an error is refused; one whose result is empty text is a blank cell."""
    data = xlsx(
        ["编号", "类型", "日期", "金额（元）", "户数"],
        ['="A"&"1"', '="棚户区"&"改造"', "=DATE(2024,3,1)", "=SUM(1,2)", "=40+2"],
        ['="A"&"2"', '="棚户区"&"改造"', "=DATE(2024,3,1)", "=SUM(1,2)", "=40+2"],
        ["A3", '=IF(1,"","x")', None, "=1/0", None],
    )
    sheet = read_sheet(with_results(data, {"A3": "A2", "B3": "棚户区改造", "C3": 45352, "D3": 3, "E3": 42,
                                           "B4": "", "D4": "#DIV/0!"}), SPEC)
    assert sorted(sheet.issues) == [
        SheetIssue(2, header, NOT_COMPUTED, "formula_not_computed") for header in ("户数", "日期", "类型", "编号",
                                                                                   "金额（元）")
    ] + [SheetIssue(4, "金额（元）", "单元格公式计算出错（#DIV/0!），请改正公式后再导入，或填写数值", "formula_error")]
    assert [r.number for r in sheet.rows] == [2, 3, 4]
    assert sheet.rows[0].bad == {"code", "type", "day", "amount", "households"}
    assert sheet.rows[1].values == {"code": "A2", "type": ProjectType.shantytown, "day": dt.date(2024, 3, 1),
                                    "amount": Decimal("3.00"), "households": 42}
    assert sheet.rows[1].bad == frozenset()
    assert sheet.rows[2].values["type"] is None


def test_a_formula_without_result_is_refused_in_every_kind_of_column() -> None:
    """Also a required column's, and one of an ID (every parser goes through the same check);
    a text that only starts with = (as an export writes it) is text."""
    spec = SheetSpec("demo", "示例", (*SPEC.columns, Column("是否", "flag", bool_cell()),
                                      Column("ID", "id", text_cell(max_length=40))))
    sheet = read_sheet(xlsx(["编号", "是否", "ID"], ['=""', '="是"', "=A2"]), spec)
    assert [(i.row, i.column, i.code) for i in sorted(sheet.issues)] == [
        (2, "ID", "formula_not_computed"), (2, "是否", "formula_not_computed"), (2, "编号", "formula_not_computed")]
    literal = SheetSpec("demo", "示例", (Column("编号", "code", text_cell(max_length=40)),))
    written = write_sheet(literal, [{"code": "=HYPERLINK(1)"}])
    assert read_sheet(written, literal).rows[0].values == {"code": "=HYPERLINK(1)"}


def test_the_sheet_named_like_the_spec_is_preferred() -> None:
    book = Workbook()
    first = book.active
    assert first is not None
    first.append(["说明"])
    named = book.create_sheet("示例")
    named.append(["编号"])
    named.append(["X1"])
    out = io.BytesIO()
    book.save(out)
    assert [r.values["code"] for r in read_sheet(out.getvalue(), SPEC).rows] == ["X1"]


def test_not_xlsx_corrupt_and_too_large() -> None:
    with pytest.raises(SheetNotXlsx):
        read_sheet("编号,类型\nA1,征收拆迁\n".encode(), SPEC)
    good = xlsx(["编号"], ["A1"])
    with pytest.raises(SheetUnreadable):
        read_sheet(good[: len(good) // 2], SPEC)
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(SheetUnreadable):
        read_sheet(broken.getvalue(), SPEC)
    with pytest.raises(SheetTooLarge):
        read_sheet(good, SPEC, SheetLimits(max_bytes=len(good) - 1))
    with pytest.raises(SheetTooLarge):
        read_sheet(good, SPEC, SheetLimits(max_unpacked_bytes=100))
    many = xlsx(["编号"], *[[f"A{i}"] for i in range(4)])
    assert len(read_sheet(many, SPEC, SheetLimits(max_rows=4)).rows) == 4
    with pytest.raises(SheetTooLarge):
        read_sheet(many, SPEC, SheetLimits(max_rows=3))


# --------------------------------------------------------------------------- writing


def test_written_sheets_read_back_equal_and_are_styled() -> None:
    records: list[dict[str, Any]] = [
        {"code": "A1", "type": ProjectType.shantytown, "day": dt.date(2024, 3, 1), "amount": Decimal("1280000.50"),
         "households": 12},
        {"code": "A2", "type": None, "day": None, "amount": Decimal("0.00"), "households": None},
    ]
    spec = SheetSpec("demo", "示例", tuple(
        Column(c.header, c.key, c.parse, format=(lambda v: v.value) if c.key == "type" else c.format,
               required=c.required, number_format=c.number_format, choices=("棚户区改造",) if c.key == "type" else ())
        for c in SPEC.columns))
    data = write_sheet(spec, records)
    assert [r.values for r in read_sheet(data, spec).rows] == records
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["示例", "填写说明", "下拉选项"]
    assert book["下拉选项"].sheet_state == "hidden"
    assert book["下拉选项"]["A1"].value == "棚户区改造"
    sheet = book["示例"]
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].value == "编号*"
    assert sheet["A1"].font.bold
    assert sheet["D2"].number_format == "#,##0.00"
    assert isinstance(sheet["D2"].value, float | int)
    assert sheet["C2"].is_date
    assert [(str(v.sqref), v.formula1) for v in sheet.data_validations.dataValidation] == \
        [("B2:B1003", "'下拉选项'!$A$1:$A$1")]


@pytest.mark.parametrize("records", [0, 3])
def test_written_sheets_filter_and_print_on_landscape_pages_of_one_width(records: int) -> None:
    """The header row carries an autofilter over the data, and prints on every page; pages are
    landscape, as wide as the sheet (as many pages down as it takes)."""
    data = write_sheet(SPEC, [{"code": f"A{i}"} for i in range(records)])
    book = load_workbook(io.BytesIO(data))
    sheet = book["示例"]
    assert sheet.auto_filter.ref == f"A1:E{records + 1}"
    assert sheet.page_setup.orientation == "landscape"
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr is not None
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.freeze_panes == "A2"


def test_project_template_and_huge_money_as_text() -> None:
    template = write_sheet(PROJECT_SHEET, [])
    sheet = read_sheet(template, PROJECT_SHEET)
    assert (sheet.rows, sheet.issues) == ([], [])
    data = write_sheet(PROJECT_SHEET, [{"code": "YY-1", "target_investment": Decimal("12345678901234.56")}])
    cell = load_workbook(io.BytesIO(data))["项目清单"]["K2"]
    assert cell.value == "12345678901234.56"
    assert read_sheet(data, PROJECT_SHEET).rows[0].values["target_investment"] == Decimal("12345678901234.56")


def test_text_is_written_as_text_never_a_formula_nor_illegal() -> None:
    """A name typed as a formula stays text in an export (formula injection), and control
    characters a workbook cannot hold are dropped instead of failing the whole export."""
    data = write_sheet(PROJECT_SHEET, [{"code": "YY-1", "name": '=HYPERLINK("http://example.com","点此查看")'},
                                       {"code": "YY-2", "name": "桃花仑\x17片区\x00"}])
    sheet = load_workbook(io.BytesIO(data))["项目清单"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == ('=HYPERLINK("http://example.com","点此查看")', "s")
    assert (sheet["B3"].value, sheet["B3"].data_type) == ("桃花仑片区", "s")
    assert [r.values["name"] for r in read_sheet(data, PROJECT_SHEET).rows] == [
        '=HYPERLINK("http://example.com","点此查看")', "桃花仑片区"]
