"""Use cases for tasks (任务清单): create, read, list (overdue computed in the query), change, progress
reports, approval documents, and backward-scheduled plans (倒排工期). They receive the session and the
caller and never commit; a task outside the caller's scope is "not found"; every change is audited and
announced (``projects.task.changed``) in the same transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import TaskChanged
from kernel import calendar
from kernel.auth.principal import Principal
from kernel.concurrency import check_version
from kernel.db.session import utcnow
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from services.projects.database import RECORDS
from services.projects.documents import service as documents
from services.projects.documents.models import WorkDocument
from services.projects.documents.rules import check_withdrawal, mark_withdrawn, withdrawal_audit
from services.projects.registry.models import Project
from services.projects.registry.service import get_project
from services.projects.tasks.errors import (
    PlanCycle,
    PlanInvalid,
    TaskClosed,
    TaskIdTaken,
    TaskInvalid,
)
from services.projects.tasks.models import Task, TaskProgress
from services.projects.tasks.repository import TaskFilter, TaskRepository
from services.projects.tasks.rules import Schedule, ScheduleError, Step, chain, plan_backwards
from services.projects.tasks.vocabulary import TaskKind, TaskStatus

__all__ = [
    "PlanOutcome",
    "PlanStepDraft",
    "ProgressDraft",
    "TaskDraft",
    "add_task_document",
    "create_task",
    "get_task",
    "is_overdue",
    "list_task_documents",
    "list_task_progress",
    "list_tasks",
    "plan_tasks",
    "report_task_progress",
    "update_task",
    "withdraw_task_document",
]


@dataclass(frozen=True, slots=True)
class TaskDraft:
    """A new task. Owners are plain names (with optional ids of the command structure's records)."""

    project_id: uuid.UUID
    title: str
    kind: TaskKind = TaskKind.general
    description: str | None = None
    owner_name: str | None = None
    owner_unit_name: str | None = None
    owner_person_id: uuid.UUID | None = None
    owner_unit_id: uuid.UUID | None = None
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    actual_start: dt.date | None = None
    actual_end: dt.date | None = None
    status: TaskStatus = TaskStatus.not_started
    progress: int = 0
    duration_days: int | None = None
    working_days: bool = False
    depends_on: tuple[uuid.UUID, ...] = ()
    document_number: str | None = None
    approving_authority: str | None = None
    approved_on: dt.date | None = None
    id: uuid.UUID | None = None


#: Fields a change may touch (dependencies move through plans).
UPDATABLE = frozenset({
    "title", "kind", "description", "owner_name", "owner_unit_name", "owner_person_id", "owner_unit_id",
    "planned_start", "planned_end", "actual_start", "actual_end", "status", "progress", "duration_days",
    "working_days", "document_number", "approving_authority", "approved_on",
})
AUDITED = (*sorted(UPDATABLE), "depends_on", "plan_target")
APPROVAL_FIELDS = ("document_number", "approving_authority", "approved_on")


def snapshot(task: Task) -> dict[str, Any]:
    return {name: getattr(task, name) for name in AUDITED}


def is_overdue(task: Task, today: dt.date) -> bool:
    """Past its planned end and not done (nor cancelled). The list filter says the same in SQL."""
    return (task.planned_end is not None and task.planned_end < today
            and TaskStatus(task.status).is_open)


def check_task(values: dict[str, Any], today: dt.date) -> list[FieldError]:
    """The rules a task's fields must keep together (pure); also normalises status and progress:
    progress on a task not started means it is in progress; a done task is at 100% and has ended."""
    errors = []
    kind = TaskKind(values["kind"])
    if values.get("planned_start") and values.get("planned_end") and values["planned_start"] > values["planned_end"]:
        errors.append(FieldError("body.planned_end", "before_start", "计划完成日期不能早于计划开始日期"))
    if values.get("actual_start") and values.get("actual_end") and values["actual_start"] > values["actual_end"]:
        errors.append(FieldError("body.actual_end", "before_start", "实际完成日期不能早于实际开始日期"))
    if values.get("actual_end") and values["actual_end"] > today:
        errors.append(FieldError("body.actual_end", "in_future", "实际完成日期不能晚于今天"))
    if not kind.is_approval:
        for name in APPROVAL_FIELDS:
            if values.get(name) is not None:
                errors.append(FieldError(f"body.{name}", "approval_only", "只有审批类任务才有文号、审批机关和批复日期"))
    if values.get("approved_on") and values["approved_on"] > today:
        errors.append(FieldError("body.approved_on", "in_future", "批复日期不能晚于今天"))
    progress = int(values.get("progress") or 0)
    if not 0 <= progress <= 100:
        errors.append(FieldError("body.progress", "out_of_range", "进度须在 0 到 100 之间"))
    status = TaskStatus(values["status"])
    if status is TaskStatus.not_started and progress > 0:
        values["status"] = TaskStatus.in_progress.value
    if status is TaskStatus.done:
        values["progress"] = 100
        if values.get("actual_end") is None:
            values["actual_end"] = today
            if values.get("actual_start") and values["actual_start"] > today:
                errors.append(FieldError("body.actual_start", "in_future", "实际开始日期不能晚于今天"))
    return errors


def _changed(task: Task, change: str) -> TaskChanged:
    return TaskChanged(
        id=task.id, project_id=task.project_id, change=change, title=task.title, kind=task.kind,
        status=task.status, progress=task.progress, owner_name=task.owner_name,
        owner_unit_name=task.owner_unit_name, planned_start=task.planned_start, planned_end=task.planned_end,
        actual_end=task.actual_end, version=task.version,
    )


async def _check_dependencies(session: AsyncSession, project_id: uuid.UUID, ids: tuple[uuid.UUID, ...],
                              self_id: uuid.UUID | None) -> None:
    if self_id is not None and self_id in ids:
        raise TaskInvalid(errors=[FieldError("body.depends_on", "self", "任务不能以自身为前置任务")])
    found = {t.id for t in await TaskRepository(session).of_project(project_id, ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise TaskInvalid(errors=[FieldError("body.depends_on", "unknown_task",
                                             f"前置任务不存在或不属于本项目：{', '.join(missing)}")])


async def create_task(session: AsyncSession, actor: Principal, draft: TaskDraft, *,
                      today: dt.date | None = None) -> Task:
    """Add a task to a project's list (the project must be in the caller's scope)."""
    today = today or calendar.today()
    project = await get_project(session, actor, draft.project_id)
    repo = TaskRepository(session)
    if draft.id is not None and await repo.exists(draft.id):
        raise TaskIdTaken()
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    values["kind"] = TaskKind(draft.kind).value
    values["status"] = TaskStatus(draft.status).value
    values["depends_on"] = list(dict.fromkeys(draft.depends_on))
    errors = check_task(values, today)
    if errors:
        raise TaskInvalid(errors=errors)
    await _check_dependencies(session, draft.project_id, tuple(values["depends_on"]), draft.id)
    values["id"] = draft.id or uuid.uuid4()
    task = await repo.add(Task(**values))
    await RECORDS.record_change(session, actor, action="task.create", entity_type="task", entity_id=task.id,
                                region_code=project.region_code, project_id=task.project_id,
                                after=snapshot(task), event=_changed(task, "created"))
    return task


async def _task_and_project(session: AsyncSession, actor: Principal, task_id: uuid.UUID, *,
                            lock: bool = False) -> tuple[Task, Project]:
    task = await TaskRepository(session).require(task_id, actor.scope, lock=lock)
    project = await get_project(session, actor, task.project_id)
    return task, project


async def get_task(session: AsyncSession, actor: Principal, task_id: uuid.UUID) -> Task:
    return await TaskRepository(session).require(task_id, actor.scope)


async def list_tasks(
    session: AsyncSession,
    actor: Principal,
    page: PageRequest,
    *,
    project_id: uuid.UUID | None = None,
    status: TaskStatus | None = None,
    kind: TaskKind | None = None,
    approvals_only: bool = False,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    updated_since: dt.datetime | None = None,
    today: dt.date | None = None,
) -> PageResult[Any]:
    """A page of tasks in the caller's scope (of one project when ``project_id`` is given: a project
    outside the scope is "not found"), by planned end then id; by change time with ``updated_since``.
    The page's query already keeps to the scope, so the project is looked up only when the page
    is empty: to tell "no such tasks" from "no such project"."""
    f = TaskFilter(project_id=project_id, status=status.value if status else None,
                   kind=kind.value if kind else None, approvals_only=approvals_only, overdue=overdue,
                   due_before=due_before, updated_since=updated_since, today=today or calendar.today())
    result = await TaskRepository(session).page(f, actor.scope, page)
    if project_id is not None and not result.items:
        await get_project(session, actor, project_id)
    return result


async def update_task(session: AsyncSession, actor: Principal, task_id: uuid.UUID, changes: dict[str, Any],
                      expected_version: int | None, *, today: dt.date | None = None) -> Task:
    today = today or calendar.today()
    task, project = await _task_and_project(session, actor, task_id, lock=True)
    check_version(task.version, expected_version)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    before = snapshot(task)
    values = {**before, **{k: (v.value if isinstance(v, TaskKind | TaskStatus) else v) for k, v in changes.items()}}
    errors = check_task(values, today)
    if errors:
        raise TaskInvalid(errors=errors)
    for name in UPDATABLE:
        if values[name] != before[name]:
            setattr(task, name, values[name])
    await session.flush()
    after = snapshot(task)
    if after != before:
        await RECORDS.record_change(session, actor, action="task.update", entity_type="task", entity_id=task.id,
                                    region_code=project.region_code, project_id=task.project_id,
                                    before=before, after=after, changed_only=True, event=_changed(task, "updated"))
    return task


# --- progress reports -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgressDraft:
    progress: int
    note: str
    status: TaskStatus | None = None  # default: in progress, done at 100%
    id: uuid.UUID | None = None


async def report_task_progress(session: AsyncSession, actor: Principal, task_id: uuid.UUID,
                               draft: ProgressDraft, *, today: dt.date | None = None) -> TaskProgress:
    """Append a progress report; the task takes its percent and status (100% means done)."""
    today = today or calendar.today()
    task, project = await _task_and_project(session, actor, task_id, lock=True)
    if not TaskStatus(task.status).is_open:
        raise TaskClosed()
    if not draft.note.strip():
        raise TaskInvalid(errors=[FieldError("body.note", "blank", "进度说明不能为空")])
    status = draft.status or (TaskStatus.done if draft.progress == 100 else TaskStatus.in_progress)
    if status is TaskStatus.not_started:
        raise TaskInvalid(errors=[FieldError("body.status", "not_started", "报告进度后任务不能是“未开始”")])
    before = snapshot(task)
    values = {**before, "progress": draft.progress, "status": status.value}
    if status is TaskStatus.in_progress and values.get("actual_start") is None:
        values["actual_start"] = today
    errors = check_task(values, today)
    if errors:
        raise TaskInvalid(errors=errors)
    for name in ("progress", "status", "actual_start", "actual_end"):
        setattr(task, name, values[name])
    report = TaskProgress(id=draft.id or uuid.uuid4(), task_id=task.id, project_id=task.project_id,
                          progress=task.progress, status=task.status, note=draft.note.strip(),
                          reported_by=actor.subject, reported_by_name=actor.name or actor.subject)
    session.add(report)
    await session.flush()
    await RECORDS.record_change(session, actor, action="task.progress", entity_type="task", entity_id=task.id,
                                region_code=project.region_code, project_id=task.project_id,
                                before=before, after=snapshot(task), changed_only=True,
                                event=_changed(task, "progress"))
    return report


async def list_task_progress(session: AsyncSession, actor: Principal, task_id: uuid.UUID,
                             page: PageRequest) -> PageResult[TaskProgress]:
    task = await get_task(session, actor, task_id)
    return await TaskRepository(session).progress_page(task.id, page)


# --- documents --------------------------------------------------------------------------------------


async def add_task_document(session: AsyncSession, actor: Principal, task_id: uuid.UUID,
                            upload: documents.Upload, storage: documents.DocumentStorage) -> WorkDocument:
    """Attach a file to a task (an approval's 批复, a land certificate...)."""
    task, project = await _task_and_project(session, actor, task_id)
    document = await documents.store_document(session, actor, upload, storage, project_id=task.project_id,
                                              task_id=task.id)
    await RECORDS.record_change(session, actor, action="task.document.add", entity_type="task", entity_id=task.id,
                                region_code=project.region_code, project_id=task.project_id,
                                after={"document_id": document.id, "file_name": document.file_name,
                                       "sha256": document.sha256, "size_bytes": document.size_bytes},
                                event=_changed(task, "document"))
    return document


async def list_task_documents(session: AsyncSession, actor: Principal, task_id: uuid.UUID, *,
                              include_withdrawn: bool = False) -> list[WorkDocument]:
    """The task's documents by upload time; withdrawn ones (作废) only with ``include_withdrawn``."""
    task = await get_task(session, actor, task_id)
    return await documents.task_documents(session, task.id, include_withdrawn=include_withdrawn)


async def withdraw_task_document(session: AsyncSession, actor: Principal, document: WorkDocument,
                                 reason: str) -> WorkDocument:
    """Withdraw (作废) a document of a task: ``document`` is one the caller sees and may withdraw (see
    ``documents.service.withdraw_document``). Locks the document, so two withdrawals at once make
    one and a conflict."""
    if document.task_id is None:
        raise ValueError("not a task's document")
    task, project = await _task_and_project(session, actor, document.task_id)
    locked = await documents.lock_document(session, actor, document.id)
    before = withdrawal_audit(locked)
    cleaned = check_withdrawal(locked, reason, closing_evidence=False)
    mark_withdrawn(locked, actor, cleaned, utcnow())
    await session.flush()
    await RECORDS.record_change(session, actor, action="task.document.withdraw", entity_type="task",
                                entity_id=task.id, region_code=project.region_code, project_id=task.project_id,
                                before=before, after=withdrawal_audit(locked),
                                event=_changed(task, "document_withdrawn"))
    return locked


# --- backward-scheduled plans (倒排工期) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanStepDraft:
    """One step of a plan: an existing task of the project (``task_id``: replanned) or a new one
    (``title`` and the other fields: created). ``after`` names the keys of the steps that must end
    before this one starts; ``None`` means the step before it in the list."""

    key: str
    duration_days: int
    working_days: bool = False
    after: tuple[str, ...] | None = None
    task_id: uuid.UUID | None = None
    title: str | None = None
    kind: TaskKind = TaskKind.general
    description: str | None = None
    owner_name: str | None = None
    owner_unit_name: str | None = None
    owner_person_id: uuid.UUID | None = None
    owner_unit_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class PlannedTask:
    key: str
    title: str
    kind: str
    planned_start: dt.date
    planned_end: dt.date
    duration_days: int
    working_days: bool
    after: tuple[str, ...]
    starts_before_today: bool
    task_id: uuid.UUID | None
    created: bool


@dataclass(frozen=True, slots=True)
class PlanOutcome:
    target_date: dt.date
    start: dt.date
    feasible: bool
    late_steps: tuple[str, ...]
    items: list[PlannedTask] = field(default_factory=list)
    dry_run: bool = False


_REASONS = {
    "cycle": "步骤的前置关系存在循环",
    "unknown_step": "前置步骤不存在",
    "duplicate_step": "步骤编号重复",
    "duration": "工期须至少 1 天",
    "empty": "计划至少要有一个步骤",
}


def _schedule(target: dt.date, drafts: list[PlanStepDraft], today: dt.date) -> Schedule:
    keys = [d.key for d in drafts]
    afters = chain(keys, [d.after for d in drafts])
    steps = [Step(key=d.key, duration=d.duration_days, working_days=d.working_days, after=a)
             for d, a in zip(drafts, afters, strict=True)]
    try:
        return plan_backwards(target, steps, today)
    except ScheduleError as exc:
        error = PlanCycle if exc.reason == "cycle" else PlanInvalid
        message = _REASONS[exc.reason] + (f"：{', '.join(exc.keys)}" if exc.keys else "")
        raise error(errors=[FieldError("body.steps", exc.reason, message)],
                    extra={"steps": list(exc.keys)}) from exc


async def plan_tasks(session: AsyncSession, actor: Principal, project_id: uuid.UUID, target_date: dt.date,
                     drafts: list[PlanStepDraft], *, dry_run: bool = False,
                     today: dt.date | None = None) -> PlanOutcome:
    """Plan steps backwards from ``target_date``: new steps become tasks, existing tasks get their
    planned dates (and duration, dependencies) replaced. Steps that would start before today are
    flagged, not refused. With ``dry_run`` nothing is written."""
    today = today or calendar.today()
    project = await get_project(session, actor, project_id)
    errors = []
    for i, d in enumerate(drafts):
        if d.task_id is None and not (d.title and d.title.strip()):
            errors.append(FieldError(f"body.steps[{i}].title", "required", "新任务须填写名称"))
    existing_ids = [d.task_id for d in drafts if d.task_id is not None]
    if len(set(existing_ids)) != len(existing_ids):
        errors.append(FieldError("body.steps", "duplicate_task", "同一任务在计划中出现了多次"))
    existing = {t.id: t for t in await TaskRepository(session).of_project(project_id, existing_ids)}
    for i, d in enumerate(drafts):
        if d.task_id is not None and d.task_id not in existing:
            errors.append(FieldError(f"body.steps[{i}].task_id", "unknown_task", "任务不存在或不属于本项目"))
    if errors:
        raise PlanInvalid(errors=errors)
    schedule = _schedule(target_date, drafts, today)
    planned = {s.key: s for s in schedule.steps}
    afters = chain([d.key for d in drafts], [d.after for d in drafts])

    ids: dict[str, uuid.UUID] = {}
    items: list[PlannedTask] = []
    for d, after in zip(drafts, afters, strict=True):
        step = planned[d.key]
        task = existing.get(d.task_id) if d.task_id else None
        ids[d.key] = task.id if task else uuid.uuid4()
        items.append(PlannedTask(
            key=d.key, title=task.title if task else (d.title or "").strip(), kind=task.kind if task else d.kind.value,
            planned_start=step.start, planned_end=step.end, duration_days=d.duration_days,
            working_days=d.working_days, after=after, starts_before_today=step.starts_before_today,
            task_id=None if dry_run and task is None else ids[d.key], created=task is None))
    outcome = PlanOutcome(target_date=target_date, start=schedule.start, feasible=schedule.feasible,
                          late_steps=schedule.late_steps, items=items, dry_run=dry_run)
    if dry_run:
        return outcome

    repo = TaskRepository(session)
    for d, item in zip(drafts, items, strict=True):
        depends = [ids[k] for k in item.after]
        task = existing.get(d.task_id) if d.task_id else None
        if task is None:
            task = await repo.add(Task(
                id=ids[d.key], project_id=project_id, title=item.title, kind=item.kind, description=d.description,
                owner_name=d.owner_name, owner_unit_name=d.owner_unit_name, owner_person_id=d.owner_person_id,
                owner_unit_id=d.owner_unit_id, planned_start=item.planned_start, planned_end=item.planned_end,
                status=TaskStatus.not_started.value, progress=0, duration_days=d.duration_days,
                working_days=d.working_days, depends_on=depends, plan_target=target_date))
            await RECORDS.record_change(session, actor, action="task.create", entity_type="task", entity_id=task.id,
                                        region_code=project.region_code, project_id=task.project_id,
                                        after=snapshot(task), event=_changed(task, "created"))
            continue
        before = snapshot(task)
        task.planned_start, task.planned_end = item.planned_start, item.planned_end
        task.duration_days, task.working_days = d.duration_days, d.working_days
        task.depends_on, task.plan_target = depends, target_date
        await session.flush()
        after_snapshot = snapshot(task)
        if after_snapshot != before:
            await RECORDS.record_change(session, actor, action="task.plan", entity_type="task", entity_id=task.id,
                                        region_code=project.region_code, project_id=task.project_id,
                                        before=before, after=after_snapshot, changed_only=True,
                                        event=_changed(task, "planned"))
    return outcome
