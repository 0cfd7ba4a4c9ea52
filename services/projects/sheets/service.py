"""Use cases: spreadsheet import and export of projects, tasks and problems.

Import is all or nothing. Every row is read and checked, first cell by cell
(``sheets.read_sheet``), then against the database in a few bulk look-ups
(unknown region, region outside the caller's scope, a code repeated in the file or
already taken, an unknown project, the records the rows' IDs name); when anything is
wrong, one ``ImportInvalid`` (422, ``import.invalid``) lists every problem with its row
and column, and nothing is written. Otherwise every row goes through the ordinary use
case (so audit, events and rules are exactly those of the API), in the request's one
transaction.

Export, edit, re-import: a row whose 记录ID names a record the caller may see updates
that record. Its 版本 cell must equal the record's current version (the sheet's form of
If-Match: missing → ``version_required``, different → ``stale``); only the cells that
differ from the record go to the kind's update use case with that version, so an
unchanged row changes nothing (no new version, no event, no audit entry); what the update
use case cannot change (a project's code or stage, a task's or problem's project, a
problem's status or registration date) is refused on its row when it differs
(``sheet_specs.*_UPDATES``). A 记录ID outside the caller's scope reads as an ID already
taken, exactly as before: nothing more is said of it.

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
from sqlalchemy.orm.exc import StaleDataError

from contracts.projects import LandPath, ProjectType, Stage
from kernel import calendar
from kernel.auth.principal import Principal
from kernel.errors import DomainError, FieldError, Invalid, PreconditionFailed
from kernel.pagination import PageRequest
from services.projects.command.vocabulary import LegalBasis
from services.projects.problems import service as problem_uc
from services.projects.problems.models import ProblemRecord
from services.projects.problems.vocabulary import ProblemCategory, ProblemStatus
from services.projects.registry.models import Project
from services.projects.registry.rules import SHEET_MIDWAY_REASON, bulk_claim
from services.projects.registry.service import ProjectDraft, create_project, list_projects, update_project
from services.projects.sheets.repository import SheetLookups
from services.projects.sheets.rules import (
    ParsedRow,
    ParsedSheet,
    SheetLimits,
    SheetSpec,
    SheetTooLarge,
    UpdateRules,
    read_sheet,
    row_changes,
    write_sheet,
)
from services.projects.sheets.vocabulary import (
    PROBLEM_SHEET,
    PROBLEM_UPDATES,
    PROJECT_SHEET,
    PROJECT_UPDATES,
    TASK_SHEET,
    TASK_UPDATES,
)
from services.projects.tasks import service as task_uc
from services.projects.tasks.models import Task
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

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
    """What an import did: ``created`` new records (their ids in ``ids``), ``updated`` existing ones
    (``updated_ids``), and ``unchanged`` rows naming a record they left as it was; a dry run writes
    nothing and counts what the import would do, without ids."""

    kind: str
    rows: int
    created: int
    dry_run: bool
    ids: tuple[uuid.UUID, ...] = ()
    updated: int = 0
    unchanged: int = 0
    updated_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True, slots=True)
class RowUpdate:
    """A row that updates the record its ID names: the version it was exported at and what it changes."""

    id: uuid.UUID
    version: int
    changes: dict[str, Any]


@dataclass(slots=True)
class UpdatePlan:
    """The rows of a sheet that name existing records: ``rows`` every such row (repeats of an ID
    included: they are no new records), ``updates`` the first row of each ID whose version held."""

    rows: set[int]
    updates: dict[int, RowUpdate]


@dataclass(frozen=True, slots=True)
class ExportFile:
    filename: str
    content: bytes
    rows: int


SPECS: dict[str, SheetSpec] = {s.kind: s for s in (PROJECT_SHEET, TASK_SHEET, PROBLEM_SHEET)}
_UPDATE_NOTE = ("从系统导出的表格改好后可直接导入：保留“记录ID”和“版本”的行更新对应记录（只改与系统中不同的列，"
                "未改动的行不作变更），“记录ID”为空的行新登记；导出后记录若已被他人修改，该行报错，须重新导出后再改。")
_NOTES: dict[str, tuple[str, ...]] = {
    "projects": ("项目编号全市唯一；行政区划须在您的管辖范围内。", _UPDATE_NOTE,
                 "已有项目的项目编号和当前阶段不能通过导入修改（阶段变更须通过阶段推进办理）。"),
    "tasks": ("每行一项任务；项目编号须是您管辖范围内已登记的项目。",
              "文号、审批机关和批复日期只用于审批类任务（立项、用地、环评、组卷报批、招拍挂等）。", _UPDATE_NOTE,
              "不能通过导入把已有任务移到其他项目。"),
    "problems": ("每行一个问题，导入即挂号；项目编号须是您管辖范围内已登记的项目。",
                 "已销号的问题不能导入：销号须在系统中附说明和佐证办理。", _UPDATE_NOTE,
                 "已有问题的状态、挂号日期和所属项目不能通过导入修改；重新打开问题须在系统中办理。"),
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


def _stale_message(current: int | None) -> str:
    known = f"（当前版本 {current}）" if current is not None else ""
    return f"该记录在导出后已被修改{known}，请重新导出后再改"


async def _write_all(session: AsyncSession, sheet: ParsedSheet, create: Callable[[ParsedRow], Awaitable[uuid.UUID]],
                     update: Callable[[RowUpdate], Awaitable[int]], plan: UpdatePlan, *,
                     dry_run: bool) -> ImportReport:
    """Create or update every good row through its use case, each in a savepoint so that a row the
    use case refuses is reported and the next row still checked; keep them only when no row had a
    problem (and this is no dry run). The use cases thus check each row exactly as the API would.
    A row that changes nothing is not passed on; ``update`` answers the record's version after
    the change (the same version: nothing changed)."""
    bad_rows = {i.row for i in sheet.issues}
    created: list[uuid.UUID] = []
    updated: list[uuid.UUID] = []
    unchanged = 0
    if sheet.header_row not in bad_rows:  # with a column missing, rows are incomplete: no attempt
        outer = await session.begin_nested()
        try:
            for row in sheet.rows:
                if row.number in bad_rows:
                    continue
                change = plan.updates.get(row.number)
                if change is not None and not change.changes:
                    unchanged += 1
                    continue
                try:
                    async with session.begin_nested():
                        if change is None:
                            created.append(await create(row))
                        elif await update(change) != change.version:
                            updated.append(change.id)
                        else:
                            unchanged += 1
                except PreconditionFailed as exc:  # changed since the look-up (a race)
                    current = str(exc.extra.get("current_etag", "")).strip('"')
                    sheet.add(row.number, "version", _stale_message(int(current) if current.isdigit() else None),
                              "stale")
                except StaleDataError:
                    sheet.add(row.number, "version", _stale_message(None), "stale")
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
    if dry_run:  # what the import would do; the records' ids are not kept (nothing was written)
        return ImportReport(sheet.spec.kind, len(sheet.rows), len(created), True, updated=len(updated),
                            unchanged=unchanged)
    return ImportReport(sheet.spec.kind, len(sheet.rows), len(created), False, tuple(created),
                        updated=len(updated), unchanged=unchanged, updated_ids=tuple(updated))


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


async def _plan_updates(
    sheet: ParsedSheet,
    visible: Callable[[set[uuid.UUID]], Awaitable[dict[uuid.UUID, dict[str, Any]]]],
    taken: Callable[[set[uuid.UUID]], Awaitable[set[uuid.UUID]]],
    rules: UpdateRules,
) -> tuple[UpdatePlan, dict[uuid.UUID, dict[str, Any]]]:
    """Sort the rows that name an existing record from the new ones (one look-up of the records the
    caller may see, by the sheet's IDs), check each updating row's version and what it would change,
    and report the IDs taken by records the caller may not see exactly as any ID already taken.
    Answers the plan and the records (as an export writes them), by ID."""
    ids = _unique(sheet, "id", "记录ID")
    records = await visible(set(ids))
    others = set(ids) - set(records)
    for ident in sorted(await taken(others) if others else set(), key=str):
        sheet.add(ids[ident], "id", f"ID {ident} 已存在", "id_taken")
    plan = UpdatePlan(set(), {})
    for row in sheet.rows:
        ident = row.values["id"]
        record = records.get(ident) if ident is not None else None
        if record is None:
            continue
        plan.rows.add(row.number)
        if ids[ident] != row.number or not row.ok("version"):  # a repeat, or a version unread: reported
            continue
        current, given = record["version"], row.values["version"]
        if given is None:
            sheet.add(row.number, "version", f"该记录已存在（当前版本 {current}）：更新须保留导出时的版本号，"
                                             "请在重新导出的文件上修改后导入", "version_required")
            continue
        if given != current:
            sheet.add(row.number, "version", _stale_message(current), "stale")
            continue
        found = row_changes(sheet.spec, row, sheet.present, record, rules)
        for key, code, message in found.refused:
            if not sheet.has(row.number, key):  # e.g. a project already reported unknown
                sheet.add(row.number, key, message, code)
        plan.updates[row.number] = RowUpdate(ident, given, found.changes)
    return plan, records


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

    async def visible(ids: set[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        return {i: project_record(p) for i, p in (await lookups.visible_projects(ids, actor.scope)).items()}

    plan, _ = await _plan_updates(sheet, visible, lookups.taken_project_ids, PROJECT_UPDATES)
    # A region is checked where it is given anew: on new rows and where an update moves the project.
    moved = {n for n, u in plan.updates.items() if "region_code" in u.changes}
    checked = [r for r in sheet.rows if r.number not in plan.rows or r.number in moved]
    regions = {r.values["region_code"] for r in checked if r.values["region_code"]}
    known = await lookups.existing_regions(regions)
    for row in checked:
        region = row.values["region_code"]
        if region is None:
            continue
        if region not in known:
            sheet.add(row.number, "region_code", f"行政区划 {region} 不存在", "unknown_region")
        elif not actor.scope.allows(region):
            sheet.add(row.number, "region_code", f"行政区划 {region} 不在您的管辖范围内", "outside_scope")
    codes = _unique(sheet, "code", "项目编号")
    new_codes = {code for code, number in codes.items() if number not in plan.rows}  # an update keeps its code
    for code in sorted(await lookups.taken_project_codes(new_codes)):
        sheet.add(codes[code], "code", f"项目编号 {code} 已存在", "code_taken")

    async def create(row: ParsedRow) -> uuid.UUID:
        v = row.values
        project = await create_project(session, actor, ProjectDraft(
            code=v["code"], name=v["name"], type=v["type"], land_path=v["land_path"] or LandPath.state,
            region_code=v["region_code"], zone=v["zone"], target_households=v["target_households"],
            target_floor_area=v["target_floor_area"], target_land_mu=v["target_land_mu"],
            target_investment=v["target_investment"], stage=v["stage"] or Stage.reserve, id=v["id"],
            legal_basis=v["legal_basis"],
        ), midway=bulk_claim(v["type"], v["stage"] or Stage.reserve, SHEET_MIDWAY_REASON,
                             f"导入表格第 {row.number} 行"))
        return project.id

    async def update(change: RowUpdate) -> int:
        return (await update_project(session, actor, change.id, change.changes, change.version)).version

    return await _write_all(session, sheet, create, update, plan, dry_run=dry_run)


def project_record(project: Project) -> dict[str, Any]:
    return {
        "code": project.code, "name": project.name, "type": ProjectType(project.type),
        "land_path": LandPath(project.land_path), "region_code": project.region_code, "zone": project.zone,
        "stage": Stage(project.stage), "target_households": project.target_households,
        "target_floor_area": project.target_floor_area, "target_land_mu": project.target_land_mu,
        "target_investment": project.target_investment,
        "legal_basis": LegalBasis(project.legal_basis) if project.legal_basis else None, "id": project.id,
        "version": project.version,
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

    async def visible(ids: set[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        return {i: task_record(t, (t.project_code, t.project_name), today)
                for i, t in (await lookups.visible_tasks(ids, actor.scope)).items()}

    plan, _ = await _plan_updates(sheet, visible, lambda ids: lookups.taken_ids(Task.id, ids), TASK_UPDATES)
    for row in sheet.rows:  # the rules among a new task's fields (an update's are checked by its use case)
        if row.number in plan.rows or not (row.ok("kind") and row.ok("status")):
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

    async def update(change: RowUpdate) -> int:
        return (await task_uc.update_task(session, actor, change.id, change.changes, change.version,
                                          today=today)).version

    return await _write_all(session, sheet, create, update, plan, dry_run=dry_run)


def task_record(task: Task, project: tuple[str, str], today: dt.date) -> dict[str, Any]:
    """The task as its sheet shows it; ``project``: its project's code and name."""
    return {
        "project_code": project[0], "project_name": project[1], "title": task.title, "kind": TaskKind(task.kind),
        "description": task.description, "owner_name": task.owner_name, "owner_unit_name": task.owner_unit_name,
        "planned_start": task.planned_start, "planned_end": task.planned_end, "actual_start": task.actual_start,
        "actual_end": task.actual_end, "status": TaskStatus(task.status), "progress": task.progress,
        "duration_days": task.duration_days, "working_days": task.working_days,
        "document_number": task.document_number, "approving_authority": task.approving_authority,
        "approved_on": task.approved_on, "overdue": task_uc.is_overdue(task, today), "id": task.id,
        "version": task.version,
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
    labels = await SheetLookups(session).project_labels({t.project_id for t in result.items})
    return _file(TASK_SHEET, (task_record(t, labels[t.project_id], today) for t in result.items), len(result.items))


# --------------------------------------------------------------------------- problems


async def import_problems(session: AsyncSession, actor: Principal, data: bytes, *, dry_run: bool = False,
                          limits: SheetLimits | None = None, today: dt.date | None = None) -> ImportReport:
    today = today or calendar.today()
    sheet = read_sheet(data, PROBLEM_SHEET, limits)
    lookups = SheetLookups(session)
    projects = await _resolve_projects(sheet, lookups, actor)

    async def visible(ids: set[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
        return {i: problem_record(p, (p.project_code, p.project_name), today)
                for i, p in (await lookups.visible_problems(ids, actor.scope)).items()}

    plan, records = await _plan_updates(sheet, visible, lambda ids: lookups.taken_ids(ProblemRecord.id, ids),
                                        PROBLEM_UPDATES)
    for number, change in plan.updates.items():  # a closed problem changes only once reopened
        if change.changes and records[change.id]["status"] is not ProblemStatus.open:
            sheet.add(number, None, "问题已销号，不能通过导入修改；如需修改，请先在系统中重新打开", "not_open")
    for row in sheet.rows:  # the register use case's rules, on every new row
        if row.number in plan.rows:
            continue
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

    async def update(change: RowUpdate) -> int:
        return (await problem_uc.update_problem(session, actor, change.id, change.changes, change.version)).version

    return await _write_all(session, sheet, create, update, plan, dry_run=dry_run)


def problem_record(problem: ProblemRecord, project: tuple[str, str], today: dt.date) -> dict[str, Any]:
    """The problem as its sheet shows it; ``project``: its project's code and name."""
    return {
        "project_code": project[0], "project_name": project[1], "category": ProblemCategory(problem.category),
        "title": problem.title,
        "description": problem.description, "measure": problem.measure, "owner_name": problem.owner_name,
        "owner_unit_name": problem.owner_unit_name, "deadline": problem.deadline,
        "registered_on": problem.registered_on, "status": ProblemStatus(problem.status),
        "closed_on": problem.closed_on, "closing_note": problem.closing_note,
        "overdue": problem_uc.is_overdue(problem, today), "id": problem.id, "version": problem.version,
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
    labels = await SheetLookups(session).project_labels({p.project_id for p in result.items})
    return _file(PROBLEM_SHEET, (problem_record(p, labels[p.project_id], today) for p in result.items),
                 len(result.items))
