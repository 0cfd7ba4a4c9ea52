"""The columns of the three spreadsheets: projects, tasks and problems (Chinese headers)."""

from __future__ import annotations

from typing import Any

from services.projects.domain.sheets import (
    Column,
    SheetSpec,
    decimal_cell,
    enum_cell,
    integer_cell,
    money_format,
    text_cell,
    uuid_cell,
)
from services.projects.vocabulary import LAND_PATH_LABELS, PROJECT_TYPE_LABELS, STAGE_LABELS

__all__ = ["PROJECT_SHEET"]

TWO_PLACES_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

#: Same rule as the API (``schemas.ProjectCode``): capitals, digits and hyphens, 3–32 long.
PROJECT_CODE = r"[A-Z0-9][A-Z0-9-]{2,31}"
REGION_CODE = r"[0-9]{12}"


def _label(labels: dict[Any, str]) -> Any:
    return lambda value: labels[value]


def project_code_column(*, required: bool = True) -> Column[str]:
    return Column("项目编号", "code" if required else "project_code",
                  text_cell(max_length=32, pattern=PROJECT_CODE,
                            pattern_hint="应为 3–32 位大写字母、数字或连字符，如 YY-PG-2021-001"),
                  required=required, width=20, hint="3–32 位大写字母、数字或连字符，如 YY-PG-2021-001")


def id_column(what: str) -> Column[Any]:
    return Column("记录ID", "id", uuid_cell(), format=str, width=38,
                  hint=f"系统生成的{what} ID；新登记时留空，迁移数据时保留原 ID")


PROJECT_SHEET = SheetSpec("projects", "项目清单", (
    project_code_column(),
    Column("项目名称", "name", text_cell(max_length=200), required=True, width=30, hint="不超过 200 字"),
    Column("项目类型", "type", enum_cell(PROJECT_TYPE_LABELS), format=_label(PROJECT_TYPE_LABELS), required=True,
           width=16, choices=tuple(PROJECT_TYPE_LABELS.values()), hint="从下拉列表中选择"),
    Column("土地性质", "land_path", enum_cell(LAND_PATH_LABELS), format=_label(LAND_PATH_LABELS), width=12,
           choices=tuple(LAND_PATH_LABELS.values()), hint="留空为国有土地"),
    Column("行政区划代码", "region_code", text_cell(max_length=12, pattern=REGION_CODE,
                                                     pattern_hint="应为 12 位数字的行政区划代码"),
           required=True, width=16, hint="12 位行政区划代码，如 430903001000（须在您的管辖范围内）"),
    Column("所属片区", "zone", text_cell(max_length=100), width=16),
    Column("当前阶段", "stage", enum_cell(STAGE_LABELS), format=_label(STAGE_LABELS), width=12,
           choices=tuple(STAGE_LABELS.values()), hint="留空为谋划储备"),
    Column("目标户数", "target_households", integer_cell(minimum=0, maximum=1_000_000), width=12,
           number_format="0", hint="0–1000000 的整数"),
    Column("目标征收建筑面积（平方米）", "target_floor_area", decimal_cell(), format=money_format, width=18,
           number_format=TWO_PLACES_FORMAT, hint="非负数，最多两位小数"),
    Column("目标用地面积（亩）", "target_land_mu", decimal_cell(), format=money_format, width=16,
           number_format=TWO_PLACES_FORMAT, hint="非负数，最多两位小数"),
    Column("计划总投资（元）", "target_investment", decimal_cell(), format=money_format, width=20,
           number_format=TWO_PLACES_FORMAT, hint="单位为元，非负数，最多两位小数"),
    id_column("项目"),
))
