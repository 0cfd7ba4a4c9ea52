"""A re-imported row against the record it names: what changes, what is refused (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from contracts.projects import LandPath, ProjectType, Stage
from services.projects.problems import service as problems
from services.projects.problems.vocabulary import ProblemStatus
from services.projects.registry import service as projects
from services.projects.sheets.rules import (
    ParsedRow,
    SheetSpec,
    UpdateRules,
    read_sheet,
    row_changes,
    same_value,
)
from services.projects.sheets.vocabulary import (
    PROBLEM_SHEET,
    PROBLEM_UPDATES,
    PROJECT_SHEET,
    PROJECT_UPDATES,
    TASK_SHEET,
    TASK_UPDATES,
)
from services.projects.tasks import service as tasks
from services.projects.tasks.vocabulary import TaskKind, TaskStatus
from tests.support.sheets import xlsx

DAY = dt.date(2026, 3, 1)


def task_record(**over: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "project_code": "YY-1", "title": "入户调查", "kind": TaskKind.general, "description": None,
        "owner_name": "刘建军", "owner_unit_name": None, "planned_start": DAY, "planned_end": DAY + dt.timedelta(9),
        "actual_start": None, "actual_end": None, "status": TaskStatus.in_progress, "progress": 40,
        "duration_days": None, "working_days": False, "document_number": None, "approving_authority": None,
        "approved_on": None, "overdue": False, "id": None, "version": 3,
    }
    return {**record, **over}


def row(values: dict[str, Any], bad: frozenset[str] = frozenset(), spec: SheetSpec = TASK_SHEET) -> ParsedRow:
    return ParsedRow(2, {**{c.key: None for c in spec.columns}, **values}, bad)


ALL_TASK_KEYS = frozenset(c.key for c in TASK_SHEET.columns if not c.export_only)


@pytest.mark.parametrize(("spec", "rules", "updatable"), [
    (PROJECT_SHEET, PROJECT_UPDATES, projects.UPDATABLE),
    (TASK_SHEET, TASK_UPDATES, tasks.UPDATABLE),
    (PROBLEM_SHEET, PROBLEM_UPDATES, problems.UPDATABLE),
])
def test_every_imported_column_is_updatable_or_fixed(spec: SheetSpec, rules: UpdateRules,
                                                     updatable: frozenset[str]) -> None:
    assert rules.covers(spec)
    assert rules.updatable <= updatable  # what the use case accepts, else it would raise ValueError
    assert set(rules.defaults) <= rules.updatable
    assert spec.columns[-2:] == (spec.column("id"), spec.column("version"))


def test_an_unchanged_row_changes_nothing() -> None:
    record = task_record()
    values = {k: v for k, v in record.items() if k not in ("overdue",)}
    assert row_changes(TASK_SHEET, row(values), ALL_TASK_KEYS, record, TASK_UPDATES).changes == {}


def test_only_the_cells_that_differ_are_changes() -> None:
    record = task_record()
    values = {**record, "progress": 80, "planned_end": DAY + dt.timedelta(20), "title": "  入户调查 ",
              "overdue": True}
    found = row_changes(TASK_SHEET, row(values), ALL_TASK_KEYS, record, TASK_UPDATES)
    assert found.changes == {"progress": 80, "planned_end": DAY + dt.timedelta(20)}
    assert found.refused == ()


def test_a_blank_cell_means_what_it_means_on_creation() -> None:
    record = task_record(kind=TaskKind.project_approval, working_days=True, description="逐户核实")
    values = {**record, "kind": None, "status": None, "progress": None, "working_days": None, "description": None}
    changes = row_changes(TASK_SHEET, row(values), ALL_TASK_KEYS, record, TASK_UPDATES).changes
    assert changes == {"kind": TaskKind.general, "status": TaskStatus.not_started, "progress": 0,
                       "working_days": False, "description": None}


def test_columns_left_out_of_the_file_and_unreadable_cells_change_nothing() -> None:
    record = task_record()
    values = {"project_code": "YY-1", "title": "新名称", "progress": 99, "status": None}
    found = row_changes(TASK_SHEET, row(values, frozenset({"progress"})), {"project_code", "title", "progress"},
                        record, TASK_UPDATES)
    assert found.changes == {"title": "新名称"}


def test_a_fixed_column_that_differs_is_refused_and_a_blank_one_kept() -> None:
    record = task_record()
    found = row_changes(TASK_SHEET, row({**record, "project_code": "YY-2"}), ALL_TASK_KEYS, record, TASK_UPDATES)
    assert found.refused == (("project_code", "not_updatable", "不能通过导入把任务移到其他项目（现属项目 YY-1）"),)
    project = {"code": "YY-1", "name": "甲", "type": ProjectType.shantytown, "land_path": LandPath.state,
               "region_code": "430903001000", "zone": None, "stage": Stage.signing, "target_households": 10,
               "target_floor_area": Decimal("1.50"), "target_land_mu": None, "target_investment": None,
               "legal_basis": None, "id": None, "version": 1}
    keys = {c.key for c in PROJECT_SHEET.columns}
    same = {**project, "target_floor_area": Decimal("1.5"), "land_path": None}  # blank land path: state
    assert row_changes(PROJECT_SHEET, row(same, spec=PROJECT_SHEET), keys, project, PROJECT_UPDATES).changes == {}
    blank_stage = {**project, "stage": None}
    found = row_changes(PROJECT_SHEET, row(blank_stage, spec=PROJECT_SHEET), keys, project, PROJECT_UPDATES)
    assert (found.changes, found.refused) == ({}, ())
    moved = {**project, "stage": Stage.reserve, "name": "乙"}
    found = row_changes(PROJECT_SHEET, row(moved, spec=PROJECT_SHEET), keys, project, PROJECT_UPDATES)
    assert found.changes == {"name": "乙"}
    assert found.refused == (
        ("stage", "not_updatable", "阶段变更须通过阶段推进办理，不能通过导入修改（当前阶段：签约）"),)


def test_a_problems_registration_date_is_shown_as_a_date() -> None:
    record = {"project_code": "YY-1", "registered_on": DAY, "status": ProblemStatus.open, "version": 1}
    found = row_changes(PROBLEM_SHEET, row({"registered_on": DAY - dt.timedelta(1), "status": ProblemStatus.open},
                                           spec=PROBLEM_SHEET), {"registered_on", "status"}, record, PROBLEM_UPDATES)
    assert found.refused == (("registered_on", "not_updatable", "挂号日期登记后不能修改（现为 2026-03-01）"),)


@pytest.mark.parametrize(("a", "b", "same"), [
    (TaskStatus.done, "done", True), (" 甲 ", "甲", True), ("", None, True), (Decimal("1.5"), Decimal("1.50"), True),
    (0, None, False), (False, None, False), ("甲", "乙", False),
])
def test_values_compare_by_what_they_mean(a: Any, b: Any, same: bool) -> None:
    assert same_value(a, b) is same


def test_the_sheet_knows_which_columns_the_file_has() -> None:
    sheet = read_sheet(xlsx(["项目编号", "任务名称", "是否逾期", "记录ID", "版本"],
                                ["YY-1", "入户调查", "是", "7a0e9c0e-5f6b-4f7c-9d55-6a4f7b0c2f11", 3]), TASK_SHEET)
    assert sheet.issues == []
    assert sheet.present == {"project_code", "title", "id", "version"}
    assert sheet.rows[0].values["version"] == 3
    bad = read_sheet(xlsx(["项目编号", "任务名称", "版本"], ["YY-1", "甲", 0]), TASK_SHEET)
    assert [(i.column, i.message) for i in bad.issues] == [("版本", "不能小于 1")]
