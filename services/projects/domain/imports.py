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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kernel import calendar
from kernel.auth import Principal
from kernel.errors import DomainError, FieldError, Invalid
from kernel.pagination import PageRequest
from services.projects.db.models import Project
from services.projects.db.models_work import ProblemRecord, Task
from services.projects.db.sheet_repositories import SheetLookups
from services.projects.domain import problems as problem_uc
from services.projects.domain import tasks as task_uc
from services.projects.domain.command_vocabulary import LegalBasis
from services.projects.domain.projects import ProjectDraft, create_project, list_projects
from services.projects.domain.sheet_specs import PROBLEM_SHEET, PROJECT_SHEET, TASK_SHEET
from services.projects.domain.sheets import (
    ParsedRow,
    ParsedSheet,
    SheetLimits,
    SheetSpec,
    SheetTooLarge,
    read_sheet,
    write_sheet,
)
from services.projects.domain.work_vocabulary import ProblemCategory, ProblemStatus, TaskKind, TaskStatus
from services.projects.vocabulary import LandPath, ProjectType, Stage

__all__ = [
    "DEFAULT_EXPORT_MAX_ROWS", "SPECS", "ExportFile", "ImportInvalid", "ImportReport", "export_problems",
    "export_projects", "export_tasks", "import_problems", "import_projects", "import_tasks", "template",
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


SPECS: dict[str, SheetSpec] = {s.kind: s for s in (PROJECT_SHEET, TASK_SHEET, PROBLEM_SHEET)}
_NOTES: dict[str, tuple[str, ...]] = {
    "projects": ("项目编号全市唯一；行政区划须在您的管辖范围内。",),
    "tasks": ("每行一项任务；项目编号须是您管辖范围内已登记的项目。",
              "文号、审批机关和批复日期只用于审批类任务（立项、用地、环评、组卷报批、招拍挂等）。"),
    "problems": ("每行一个问题，导入即挂号；项目编号须是您管辖范围内已登记的项目。",
                 "已销号的问题不能导入：销号须在系统中附说明和佐证办理。"),
}
#: A constraint a row's insert broke (a race, or a record the caller's scope hides) → (column, message).
_CONSTRAINT_CELLS: dict[str, tuple[str, str]] = {
    "uq_project_code": ("code", "项目编号已存在"),
    "pk_project": ("id", "ID 已存在"),
    "pk_task": ("id", "ID 已存在"),
    "pk_problem": ("id", "ID 已存在"),
}


def template(kind: str) -> ExportFile:
    """A blank sheet with the headers, drop-down lists and the column notes."""
    spec = SPECS[kind]
    return ExportFile(f"{spec.title}-模板.xlsx", write_sheet(spec, [], notes=_NOTES.get(kind, ())), 0)


# --------------------------------------------------------------------------- the all-or-nothing frame


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


def _column_of(sheet: ParsedSheet, field: str) -> str | None:
    """The column a use case's field error names (``body.planned_end`` → planned_end), if the sheet has it."""
    key = field.rsplit(".", 1)[-1]
    key = {"project_id": "project_code"}.get(key, key)
    return key if any(c.key == key and not c.export_only for c in sheet.spec.columns) else None


def _add_domain_error(sheet: ParsedSheet, row: int, error: DomainError) -> None:
    if not error.errors:
        sheet.add(row, None, error.title_zh, error.code)
    for fe in error.errors:
        sheet.add(row, _column_of(sheet, fe.field), fe.message, fe.code)


def _add_integrity_error(sheet: ParsedSheet, row: int, error: IntegrityError) -> None:
    orig = getattr(error, "orig", None)
    name = getattr(orig, "constraint_name", None) or getattr(getattr(orig, "__cause__", None), "constraint_name", "")
    key, message = _CONSTRAINT_CELLS.get(str(name or ""), (None, "与现有数据冲突"))
    sheet.add(row, key, message, "conflict")


async def _create_all(session: AsyncSession, sheet: ParsedSheet, create: Callable[[ParsedRow], Awaitable[uuid.UUID]],
                      *, dry_run: bool) -> ImportReport:
    """Create every good row through its use case, each in a savepoint so that a row the use case
    refuses is reported and the next row still checked; keep them only when no row had a problem
    (and this is no dry run). The use cases thus check each row exactly as the API would."""
    bad_rows = {i.row for i in sheet.issues}
    created: list[uuid.UUID] = []
    if sheet.header_row not in bad_rows:  # with a column missing, rows are incomplete: no attempt
        outer = await session.begin_nested()
        try:
            for row in sheet.rows:
                if row.number in bad_rows:
                    continue
                try:
                    async with session.begin_nested():
                        created.append(await create(row))
                except DomainError as exc:
                    _add_domain_error(sheet, row.number, exc)
                except IntegrityError as exc:
                    _add_integrity_error(sheet, row.number, exc)
        except BaseException:
            await outer.rollback()
            raise
        if sheet.issues or dry_run:
            await outer.rollback()
        else:
            await outer.commit()
    _reject_if_any(sheet)
    if dry_run:
        return ImportReport(sheet.spec.kind, len(sheet.rows), 0, True)
    return ImportReport(sheet.spec.kind, len(sheet.rows), len(created), False, tuple(created))


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


async def _check_ids(sheet: ParsedSheet, taken: Callable[[set[uuid.UUID]], Awaitable[set[uuid.UUID]]]) -> None:
    ids = _unique(sheet, "id", "记录ID")
    for ident in sorted(await taken(set(ids)), key=str):
        sheet.add(ids[ident], "id", f"ID {ident} 已存在", "id_taken")


async def _resolve_projects(sheet: ParsedSheet, lookups: SheetLookups, actor: Principal) -> dict[str, Project]:
    """The projects the rows name, among those the caller may see; the others reported per row
    (a project outside the scope reads exactly like a missing one)."""
    codes = {r.values["project_code"] for r in sheet.rows if r.values["project_code"]}
    found = await lookups.projects_by_code(codes, actor.scope)
    for row in sheet.rows:
        code = row.values["project_code"]
        if code is not None and code not in found:
            sheet.add(row.number, "project_code", f"项目 {code} 不存在或不在您的管辖范围内", "unknown_project")
    return found


def _too_many(max_rows: int) -> SheetTooLarge:
    return SheetTooLarge(f"more than {max_rows} rows", errors=[FieldError(
        "query", "too_many_rows", f"超过 {max_rows} 行，无法一次导出，请缩小筛选范围后分批导出")])


def _file(spec: SheetSpec, records: Iterable[dict[str, Any]], rows: int) -> ExportFile:
    return ExportFile(f"{spec.title}-{calendar.today().isoformat()}.xlsx", write_sheet(spec, records), rows)


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

    async def create(row: ParsedRow) -> uuid.UUID:
        v = row.values
        project = await create_project(session, actor, ProjectDraft(
            code=v["code"], name=v["name"], type=v["type"], land_path=v["land_path"] or LandPath.state,
            region_code=v["region_code"], zone=v["zone"], target_households=v["target_households"],
            target_floor_area=v["target_floor_area"], target_land_mu=v["target_land_mu"],
            target_investment=v["target_investment"], stage=v["stage"] or Stage.reserve, id=v["id"],
            legal_basis=v["legal_basis"],
        ))
        return project.id

    return await _create_all(session, sheet, create, dry_run=dry_run)


def project_record(project: Project) -> dict[str, Any]:
    return {
        "code": project.code, "name": project.name, "type": ProjectType(project.type),
        "land_path": LandPath(project.land_path), "region_code": project.region_code, "zone": project.zone,
        "stage": Stage(project.stage), "target_households": project.target_households,
        "target_floor_area": project.target_floor_area, "target_land_mu": project.target_land_mu,
        "target_investment": project.target_investment,
        "legal_basis": LegalBasis(project.legal_basis) if project.legal_basis else None, "id": project.id,
    }


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


# --------------------------------------------------------------------------- tasks


async def import_tasks(session: AsyncSession, actor: Principal, data: bytes, *, dry_run: bool = False,
                       limits: SheetLimits | None = None, today: dt.date | None = None) -> ImportReport:
    today = today or calendar.today()
    sheet = read_sheet(data, TASK_SHEET, limits)
    lookups = SheetLookups(session)
    projects = await _resolve_projects(sheet, lookups, actor)
    await _check_ids(sheet, lambda ids: lookups.taken_ids(Task.id, ids))
    for row in sheet.rows:  # the rules among a task's fields, on every row (cells already bad left out)
        if not (row.ok("kind") and row.ok("status")):
            continue
        values = {**row.values, "kind": row.values["kind"] or TaskKind.general,
                  "status": row.values["status"] or TaskStatus.not_started}
        for error in task_uc.check_task(values, today):
            key = _column_of(sheet, error.field)
            if key is None or row.ok(key):
                sheet.add(row.number, key, error.message, error.code)

    async def create(row: ParsedRow) -> uuid.UUID:
        v = row.values
        task = await task_uc.create_task(session, actor, task_uc.TaskDraft(
            project_id=projects[v["project_code"]].id, title=v["title"], kind=v["kind"] or TaskKind.general,
            description=v["description"], owner_name=v["owner_name"], owner_unit_name=v["owner_unit_name"],
            planned_start=v["planned_start"], planned_end=v["planned_end"], actual_start=v["actual_start"],
            actual_end=v["actual_end"], status=v["status"] or TaskStatus.not_started, progress=v["progress"] or 0,
            duration_days=v["duration_days"], working_days=bool(v["working_days"]),
            document_number=v["document_number"], approving_authority=v["approving_authority"],
            approved_on=v["approved_on"], id=v["id"],
        ), today=today)
        return task.id

    return await _create_all(session, sheet, create, dry_run=dry_run)


def task_record(task: Task, project_code: str, today: dt.date) -> dict[str, Any]:
    return {
        "project_code": project_code, "title": task.title, "kind": TaskKind(task.kind),
        "description": task.description, "owner_name": task.owner_name, "owner_unit_name": task.owner_unit_name,
        "planned_start": task.planned_start, "planned_end": task.planned_end, "actual_start": task.actual_start,
        "actual_end": task.actual_end, "status": TaskStatus(task.status), "progress": task.progress,
        "duration_days": task.duration_days, "working_days": task.working_days,
        "document_number": task.document_number, "approving_authority": task.approving_authority,
        "approved_on": task.approved_on, "overdue": task_uc.is_overdue(task, today), "id": task.id,
    }


async def export_tasks(
    session: AsyncSession,
    actor: Principal,
    *,
    project_id: uuid.UUID | None = None,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    approvals_only: bool = False,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    updated_since: dt.datetime | None = None,
    max_rows: int = DEFAULT_EXPORT_MAX_ROWS,
    today: dt.date | None = None,
) -> ExportFile:
    today = today or calendar.today()
    result = await task_uc.list_tasks(session, actor, PageRequest(limit=max_rows), project_id=project_id,
                                      status=status, kind=kind, approvals_only=approvals_only, overdue=overdue,
                                      due_before=due_before, updated_since=updated_since, today=today)
    if result.next_cursor is not None:
        raise _too_many(max_rows)
    codes = await SheetLookups(session).project_codes({t.project_id for t in result.items})
    return _file(TASK_SHEET, (task_record(t, codes[t.project_id], today) for t in result.items), len(result.items))


# --------------------------------------------------------------------------- problems


async def import_problems(session: AsyncSession, actor: Principal, data: bytes, *, dry_run: bool = False,
                          limits: SheetLimits | None = None, today: dt.date | None = None) -> ImportReport:
    today = today or calendar.today()
    sheet = read_sheet(data, PROBLEM_SHEET, limits)
    lookups = SheetLookups(session)
    projects = await _resolve_projects(sheet, lookups, actor)
    await _check_ids(sheet, lambda ids: lookups.taken_ids(ProblemRecord.id, ids))
    for row in sheet.rows:  # the register use case's rules, on every row
        v = row.values
        if v["status"] is ProblemStatus.closed:
            sheet.add(row.number, "status", "只能导入未销号的问题；销号须在系统中附说明和佐证办理", "closed")
        registered = v["registered_on"] if row.ok("registered_on") else None
        if registered is not None and registered > today:
            sheet.add(row.number, "registered_on", "挂号日期不能晚于今天", "in_future")
        if v["deadline"] is not None and v["deadline"] < (registered or today) and row.ok("registered_on"):
            sheet.add(row.number, "deadline", "清零时限不能早于挂号日期", "before_registration")

    async def create(row: ParsedRow) -> uuid.UUID:
        v = row.values
        problem = await problem_uc.register_problem(session, actor, problem_uc.ProblemDraft(
            project_id=projects[v["project_code"]].id, category=v["category"], title=v["title"],
            description=v["description"], deadline=v["deadline"], measure=v["measure"], owner_name=v["owner_name"],
            owner_unit_name=v["owner_unit_name"], registered_on=v["registered_on"], id=v["id"],
        ), today=today)
        return problem.id

    return await _create_all(session, sheet, create, dry_run=dry_run)


def problem_record(problem: ProblemRecord, project_code: str, today: dt.date) -> dict[str, Any]:
    return {
        "project_code": project_code, "category": ProblemCategory(problem.category), "title": problem.title,
        "description": problem.description, "measure": problem.measure, "owner_name": problem.owner_name,
        "owner_unit_name": problem.owner_unit_name, "deadline": problem.deadline,
        "registered_on": problem.registered_on, "status": ProblemStatus(problem.status),
        "closed_on": problem.closed_on, "closing_note": problem.closing_note,
        "overdue": problem_uc.is_overdue(problem, today), "id": problem.id,
    }


async def export_problems(
    session: AsyncSession,
    actor: Principal,
    *,
    project_id: uuid.UUID | None = None,
    region_prefix: str | None = None,
    status: ProblemStatus | None = None,
    category: ProblemCategory | None = None,
    overdue: bool | None = None,
    due_within_days: int | None = None,
    updated_since: dt.datetime | None = None,
    max_rows: int = DEFAULT_EXPORT_MAX_ROWS,
    today: dt.date | None = None,
) -> ExportFile:
    today = today or calendar.today()
    result = await problem_uc.list_problems(session, actor, PageRequest(limit=max_rows), project_id=project_id,
                                            region_prefix=region_prefix, status=status, category=category,
                                            overdue=overdue, due_within_days=due_within_days,
                                            updated_since=updated_since, today=today)
    if result.next_cursor is not None:
        raise _too_many(max_rows)
    codes = await SheetLookups(session).project_codes({p.project_id for p in result.items})
    return _file(PROBLEM_SHEET, (problem_record(p, codes[p.project_id], today) for p in result.items),
                 len(result.items))
