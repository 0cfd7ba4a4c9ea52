"""Use cases: spreadsheet import and export of projects, tasks and problems.

Import is all or nothing. Every row is read and checked, first cell by cell
(``sheets.read_sheet``), then against the database in a few bulk look-ups
(unknown region, region outside the caller's scope, a code repeated in the file or
already taken, an unknown project); when anything is wrong, one ``ImportInvalid``
(422, ``import.invalid``) lists every problem with its row and column, and nothing is
written. Otherwise every row is created through the ordinary use case (so audit,
events and rules are exactly those of the API), in the request's one transaction.

Export writes the caller's scoped list, with the filters of the list endpoints, and
is bounded: more rows than the limit answer 413 asking for narrower filters.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth import Principal
from kernel.calendar import today
from kernel.errors import FieldError, Invalid
from kernel.pagination import PageRequest
from services.projects.db.models import Project
from services.projects.db.sheet_repositories import SheetLookups
from services.projects.domain.projects import ProjectDraft, create_project, list_projects
from services.projects.domain.sheet_specs import PROJECT_SHEET
from services.projects.domain.sheets import (
    ParsedSheet,
    SheetLimits,
    SheetSpec,
    SheetTooLarge,
    read_sheet,
    write_sheet,
)
from services.projects.vocabulary import LandPath, ProjectType, Stage

__all__ = [
    "DEFAULT_EXPORT_MAX_ROWS", "ExportFile", "ImportInvalid", "ImportReport", "export_projects",
    "import_projects", "template",
]

#: Rows one export may hold (a setting of the service may lower or raise it).
DEFAULT_EXPORT_MAX_ROWS = 50_000
#: Problems listed in one refusal; the count says how many there were in all.
MAX_LISTED_ERRORS = 1_000


class ImportInvalid(Invalid):
    code = "import.invalid"
    title_zh = "导入文件有误，未导入任何数据"
    title_en = "The file has errors; nothing was imported"


@dataclass(frozen=True, slots=True)
class ImportReport:
    kind: str
    rows: int
    created: int
    dry_run: bool
    ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


SPECS: dict[str, SheetSpec] = {PROJECT_SHEET.kind: PROJECT_SHEET}
_NOTES: dict[str, tuple[str, ...]] = {
    "projects": ("项目编号全市唯一；行政区划须在您的管辖范围内。",),
}


def template(kind: str) -> ExportFile:
    """A blank sheet with the headers, drop-down lists and the column notes."""
    spec = SPECS[kind]
    return ExportFile(f"{spec.title}-模板.xlsx", write_sheet(spec, [], notes=_NOTES.get(kind, ())), 0)


def _reject_if_any(sheet: ParsedSheet) -> None:
    if not sheet.issues:
        return
    order = {c.header: i for i, c in enumerate(sheet.spec.columns)}
    keys = {c.header: c.key for c in sheet.spec.columns}
    issues = sorted(sheet.issues, key=lambda i: (i.row, order.get(i.column or "", -1), i.message))
    listed = issues[:MAX_LISTED_ERRORS]
    bad_rows = len({i.row for i in issues if i.row != sheet.header_row})
    raise ImportInvalid(
        f"共 {len(issues)} 处错误（涉及 {bad_rows} 行数据），未导入任何数据；请改正后重新导入",
        errors=[i.field_error(keys.get(i.column or "")) for i in listed],
        extra={
            "error_count": len(issues),
            "errors_truncated": len(issues) > len(listed),
            "cells": [{"row": i.row, "column": i.column, "code": i.code, "message": i.message} for i in listed],
        },
    )


def _unique(sheet: ParsedSheet, key: str, what: str) -> dict[Any, int]:
    """The first row of each value of ``key``; later repeats are reported."""
    first: dict[Any, int] = {}
    for row in sheet.rows:
        value = row.values[key]
        if value is None:
            continue
        if value in first:
            sheet.add(row.number, key, f"与第 {first[value]} 行的{what}重复", "duplicate")
        else:
            first[value] = row.number
    return first


async def _check_ids(sheet: ParsedSheet, taken: Callable[[set[uuid.UUID]], Any]) -> None:
    ids = _unique(sheet, "id", "记录ID")
    for ident in sorted(await taken(set(ids)), key=str):
        sheet.add(ids[ident], "id", f"ID {ident} 已存在", "id_taken")


# --------------------------------------------------------------------------- projects


async def import_projects(session: AsyncSession, actor: Principal, data: bytes, *, dry_run: bool = False,
                          limits: SheetLimits | None = None) -> ImportReport:
    sheet = read_sheet(data, PROJECT_SHEET, limits)
    lookups = SheetLookups(session)
    regions = {r.values["region_code"] for r in sheet.rows if r.values["region_code"]}
    known = await lookups.existing_regions(regions)
    for row in sheet.rows:
        region = row.values["region_code"]
        if region is None:
            continue
        if region not in known:
            sheet.add(row.number, "region_code", f"行政区划 {region} 不存在", "unknown_region")
        elif not actor.scope.allows(region):
            sheet.add(row.number, "region_code", f"行政区划 {region} 不在您的管辖范围内", "outside_scope")
    codes = _unique(sheet, "code", "项目编号")
    for code in sorted(await lookups.taken_project_codes(set(codes))):
        sheet.add(codes[code], "code", f"项目编号 {code} 已存在", "code_taken")
    await _check_ids(sheet, lookups.taken_project_ids)
    _reject_if_any(sheet)
    if dry_run:
        return ImportReport("projects", len(sheet.rows), 0, True)
    created = []
    for row in sheet.rows:
        v = row.values
        project = await create_project(session, actor, ProjectDraft(
            code=v["code"], name=v["name"], type=v["type"], land_path=v["land_path"] or LandPath.state,
            region_code=v["region_code"], zone=v["zone"], target_households=v["target_households"],
            target_floor_area=v["target_floor_area"], target_land_mu=v["target_land_mu"],
            target_investment=v["target_investment"], stage=v["stage"] or Stage.reserve, id=v["id"],
        ))
        created.append(project.id)
    return ImportReport("projects", len(sheet.rows), len(created), False, tuple(created))


def project_record(project: Project) -> dict[str, Any]:
    return {
        "code": project.code, "name": project.name, "type": ProjectType(project.type),
        "land_path": LandPath(project.land_path), "region_code": project.region_code, "zone": project.zone,
        "stage": Stage(project.stage), "target_households": project.target_households,
        "target_floor_area": project.target_floor_area, "target_land_mu": project.target_land_mu,
        "target_investment": project.target_investment, "id": project.id,
    }


def _too_many(max_rows: int) -> SheetTooLarge:
    return SheetTooLarge(f"more than {max_rows} rows", errors=[FieldError(
        "query", "too_many_rows", f"超过 {max_rows} 行，无法一次导出，请缩小筛选范围（如按区划或阶段）后分批导出")])


def _file(spec: SheetSpec, records: Iterable[dict[str, Any]], rows: int) -> ExportFile:
    return ExportFile(f"{spec.title}-{today().isoformat()}.xlsx", write_sheet(spec, records), rows)


async def export_projects(
    session: AsyncSession,
    actor: Principal,
    *,
    region_prefix: str | None = None,
    type: ProjectType | None = None,
    stage: Stage | None = None,
    updated_since: dt.datetime | None = None,
    max_rows: int = DEFAULT_EXPORT_MAX_ROWS,
) -> ExportFile:
    result = await list_projects(session, actor, PageRequest(limit=max_rows), region_prefix=region_prefix,
                                 type=type, stage=stage, updated_since=updated_since)
    if result.next_cursor is not None:
        raise _too_many(max_rows)
    return _file(PROJECT_SHEET, (project_record(p) for p in result.items), len(result.items))
