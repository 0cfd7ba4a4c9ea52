"""The columns of the three spreadsheets: projects, tasks and problems (Chinese headers)."""

from __future__ import annotations

from typing import Any

from contracts.projects import LandPath, ProjectType, Stage
from services.projects.command.vocabulary import LegalBasis
from services.projects.problems.vocabulary import ProblemCategory, ProblemStatus
from services.projects.sheets.rules import (
    Column,
    SheetSpec,
    UpdateRules,
    bool_cell,
    bool_format,
    date_cell,
    decimal_cell,
    enum_cell,
    integer_cell,
    money_format,
    text_cell,
    uuid_cell,
)
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

__all__ = ["PROBLEM_SHEET", "PROBLEM_UPDATES", "PROJECT_SHEET", "PROJECT_UPDATES", "TASK_SHEET", "TASK_UPDATES"]

TWO_PLACES_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

#: Same rule as the API (``schemas.ProjectCode``): capitals, digits and hyphens, 3–32 long.
PROJECT_CODE = r"[A-Z0-9][A-Z0-9-]{2,31}"
REGION_CODE = r"[0-9]{12}"


def _label(labels: dict[Any, str]) -> Any:
    return lambda value: labels[value]


_NUMERALS = "一二三四五六七八九十"
#: The grounds of Decree 590 art. 8 are long: a cell may name one by its item alone, （五）, 五, 第五项 or 5.
LEGAL_BASIS_ALIASES: dict[str, LegalBasis] = {
    alias: basis
    for n, (numeral, basis) in enumerate(zip(_NUMERALS, LegalBasis, strict=False), start=1)
    for alias in (f"（{numeral}）", f"({numeral})", numeral, f"第{numeral}项", str(n))
}


def project_code_column(key: str = "code",
                        hint: str = "3–32 位大写字母、数字或连字符，如 YY-PG-2021-001；登记后不能通过导入修改"
                        ) -> Column[str]:
    return Column("项目编号", key, text_cell(max_length=32, pattern=PROJECT_CODE,
                                             pattern_hint="应为 3–32 位大写字母、数字或连字符，如 YY-PG-2021-001"),
                  required=True, width=20, hint=hint)


def project_name_column() -> Column[str]:
    """The project's name beside its code on task and problem sheets: for reading only. An import
    ignores it (a changed name changes nothing; the row's project is the one its code names)."""
    return Column("项目名称", "project_name", text_cell(max_length=200), width=24, export_only=True,
                  hint="导出时按项目编号填写，便于查看；行所属的项目以“项目编号”为准，改动此列不会生效")


def id_column(what: str) -> Column[Any]:
    return Column("记录ID", "id", uuid_cell(), format=str, width=38,
                  hint=f"系统生成的{what} ID。新登记时留空（或填写客户端生成的 ID，迁移数据时保留原 ID）；"
                       f"从系统导出的行保留此 ID，导入时即更新该{what}（须同时保留“版本”）")


def version_column() -> Column[Any]:
    """The record's version as exported: an updating row must carry it (the sheet's If-Match)."""
    return Column("版本", "version", integer_cell(minimum=1, maximum=2_000_000_000), width=8, number_format="0",
                  hint="系统填写，更新已有记录时请勿修改；新登记时留空。导出后记录若已被他人修改，须重新导出后再改")


PROJECT_SHEET = SheetSpec("projects", "项目清单", (
    project_code_column(),
    Column("项目名称", "name", text_cell(max_length=200), required=True, width=30, hint="不超过 200 字"),
    Column("项目类型", "type", enum_cell(ProjectType.labels()), format=_label(ProjectType.labels()), required=True,
           width=16, choices=tuple(ProjectType.labels().values()), hint="从下拉列表中选择"),
    Column("土地性质", "land_path", enum_cell(LandPath.labels()), format=_label(LandPath.labels()), width=12,
           choices=tuple(LandPath.labels().values()), hint="留空为国有土地"),
    Column("行政区划代码", "region_code", text_cell(max_length=12, pattern=REGION_CODE,
                                                     pattern_hint="应为 12 位数字的行政区划代码"),
           required=True, width=16, hint="12 位行政区划代码，如 430903001000（须在您的管辖范围内）"),
    Column("所属片区", "zone", text_cell(max_length=100), width=16),
    Column("当前阶段", "stage", enum_cell(Stage.labels()), format=_label(Stage.labels()), width=12,
           choices=tuple(Stage.labels().values()),
           hint="新登记时留空为谋划储备；已有项目的阶段不能通过导入修改，须通过阶段推进办理"),
    Column("目标户数", "target_households", integer_cell(minimum=0, maximum=1_000_000), width=12,
           number_format="0", hint="0–1000000 的整数"),
    Column("目标征收建筑面积（平方米）", "target_floor_area", decimal_cell(), format=money_format, width=18,
           number_format=TWO_PLACES_FORMAT, hint="非负数，最多两位小数"),
    Column("目标用地面积（亩）", "target_land_mu", decimal_cell(), format=money_format, width=16,
           number_format=TWO_PLACES_FORMAT, hint="非负数，最多两位小数"),
    Column("计划总投资（元）", "target_investment", decimal_cell(), format=money_format, width=20,
           number_format=TWO_PLACES_FORMAT, hint="单位为元，非负数，最多两位小数"),
    Column("征收依据", "legal_basis", enum_cell(LegalBasis.labels(), LEGAL_BASIS_ALIASES),
           format=_label(LegalBasis.labels()), width=40, choices=tuple(LegalBasis.labels().values()),
           hint="《国有土地上房屋征收与补偿条例》第八条所列情形，可只写项号，如“（五）”或“5”"),
    id_column("项目"),
    version_column(),
))


def _date(header: str, key: str, *, required: bool = False, hint: str = "") -> Column[Any]:
    return Column(header, key, date_cell(), required=required, width=13, number_format=DATE_FORMAT,
                  hint=hint or "日期，如 2024-03-01（也可写 2024/3/1 或 2024年3月1日）")


def _text(header: str, key: str, max_length: int, *, required: bool = False, width: float = 16) -> Column[Any]:
    return Column(header, key, text_cell(max_length=max_length), required=required, width=width,
                  hint=f"不超过 {max_length} 字")


def _owner_columns() -> tuple[Column[Any], ...]:
    return (_text("责任人", "owner_name", 100, width=12), _text("责任单位", "owner_unit_name", 200, width=20))


TASK_SHEET = SheetSpec("tasks", "任务清单", (
    project_code_column("project_code", "任务所属项目的编号（须在您的管辖范围内）；不能通过导入把任务移到其他项目"),
    project_name_column(),
    _text("任务名称", "title", 200, required=True, width=30),
    Column("任务类型", "kind", enum_cell(TaskKind.labels()), format=_label(TaskKind.labels()), width=14,
           choices=tuple(TaskKind.labels().values()), hint="留空为一般任务；立项、用地、环评等审批事项选相应类型"),
    _text("任务内容", "description", 4000, width=30),
    *_owner_columns(),
    _date("计划开始日期", "planned_start"),
    _date("计划完成日期", "planned_end"),
    _date("实际开始日期", "actual_start"),
    _date("实际完成日期", "actual_end", hint="日期，不能晚于今天"),
    Column("状态", "status", enum_cell(TaskStatus.labels()), format=_label(TaskStatus.labels()), width=10,
           choices=tuple(TaskStatus.labels().values()), hint="留空为未开始"),
    Column("进度（%）", "progress", integer_cell(minimum=0, maximum=100), width=10, number_format="0",
           hint="0–100 的整数"),
    Column("工期（天）", "duration_days", integer_cell(minimum=1, maximum=3650), width=10, number_format="0",
           hint="倒排工期用的天数，1–3650"),
    Column("按工作日计", "working_days", bool_cell(), format=bool_format, width=10, choices=("是", "否"),
           hint="工期是否按工作日计算，留空为否"),
    _text("批复文号", "document_number", 100, width=18),
    _text("审批机关", "approving_authority", 200, width=18),
    _date("批复日期", "approved_on", hint="审批类任务的批复日期，不能晚于今天"),
    Column("是否逾期", "overdue", bool_cell(), format=bool_format, width=10, export_only=True,
           hint="导出时按当天计算"),
    id_column("任务"),
    version_column(),
))


PROBLEM_SHEET = SheetSpec("problems", "问题清单", (
    project_code_column("project_code", "问题所属项目的编号（须在您的管辖范围内）；不能通过导入把问题移到其他项目"),
    project_name_column(),
    Column("问题类别", "category", enum_cell(ProblemCategory.labels()), format=_label(ProblemCategory.labels()),
           required=True, width=12, choices=tuple(ProblemCategory.labels().values())),
    _text("问题标题", "title", 200, required=True, width=30),
    _text("问题描述", "description", 4000, required=True, width=40),
    _text("攻坚措施", "measure", 4000, width=30),
    *_owner_columns(),
    _date("清零时限", "deadline", required=True, hint="日期，不能早于挂号日期"),
    _date("挂号日期", "registered_on", hint="留空为今天；补录台账时可填更早的日期，不能晚于今天；登记后不能修改"),
    Column("状态", "status", enum_cell(ProblemStatus.labels()), format=_label(ProblemStatus.labels()), width=10,
           choices=tuple(ProblemStatus.labels().values()),
           hint="导入只登记未销号的问题（留空即未销号）；销号须在系统中附说明和佐证办理，"
                "重新打开也须在系统中办理，不能通过导入改状态"),
    Column("销号日期", "closed_on", date_cell(), width=13, number_format=DATE_FORMAT, export_only=True),
    Column("销号说明", "closing_note", text_cell(max_length=4000), width=30, export_only=True),
    Column("是否逾期", "overdue", bool_cell(), format=bool_format, width=10, export_only=True,
           hint="导出时按当天计算"),
    id_column("问题"),
    version_column(),
))


# --------------------------------------------------------------------------- updates (export → edit → re-import)
#
# A row whose 记录ID names a record the caller may see updates it through the kind's update use
# case: ``updatable`` are those of the use case's UPDATABLE fields the sheet has; what that use
# case cannot change is refused when it differs (a blank cell of it changes nothing).

_NOT_UPDATABLE = "not_updatable"

PROJECT_UPDATES = UpdateRules(
    updatable=frozenset({"name", "type", "land_path", "region_code", "zone", "target_households",
                         "target_floor_area", "target_land_mu", "target_investment", "legal_basis"}),
    fixed={
        "code": (_NOT_UPDATABLE, "项目编号登记后不能修改（现为 {current}）"),
        "stage": (_NOT_UPDATABLE, "阶段变更须通过阶段推进办理，不能通过导入修改（当前阶段：{current}）"),
    },
    defaults={"land_path": LandPath.state},
)

TASK_UPDATES = UpdateRules(
    updatable=frozenset({"title", "kind", "description", "owner_name", "owner_unit_name", "planned_start",
                         "planned_end", "actual_start", "actual_end", "status", "progress", "duration_days",
                         "working_days", "document_number", "approving_authority", "approved_on"}),
    fixed={"project_code": (_NOT_UPDATABLE, "不能通过导入把任务移到其他项目（现属项目 {current}）")},
    defaults={"kind": TaskKind.general, "status": TaskStatus.not_started, "progress": 0, "working_days": False},
)

PROBLEM_UPDATES = UpdateRules(
    updatable=frozenset({"category", "title", "description", "measure", "owner_name", "owner_unit_name",
                         "deadline"}),
    fixed={
        "project_code": (_NOT_UPDATABLE, "不能通过导入把问题移到其他项目（现属项目 {current}）"),
        "status": (_NOT_UPDATABLE, "问题状态不能通过导入修改（当前：{current}）；销号须在系统中附说明和佐证办理，"
                                   "重新打开也须在系统中办理"),
        "registered_on": (_NOT_UPDATABLE, "挂号日期登记后不能修改（现为 {current}）"),
    },
)
