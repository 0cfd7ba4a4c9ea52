"""Use cases for supervision items (督办): opened at a meeting (日调度 daily dispatch, 周通报 weekly
bulletin, 旬协调 10-day coordination) or by the system for an overdue problem; progress reports; closure
with a result; and the published result list (督办结果通报). They never commit; an item outside the
caller's scope is "not found"; every change is audited and announced (``projects.supervision.changed``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import SupervisionChanged
from kernel import calendar
from kernel.auth.principal import Principal
from kernel.concurrency import check_version
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from services.projects.database import RECORDS
from services.projects.problems.models import ProblemRecord
from services.projects.registry.models import Project
from services.projects.registry.service import get_project
from services.projects.supervision.errors import (
    SupervisionClosed,
    SupervisionIdTaken,
    SupervisionInvalid,
)
from services.projects.supervision.models import SupervisionItem, SupervisionReport
from services.projects.supervision.repository import SupervisionFilter, SupervisionRepository
from services.projects.supervision.vocabulary import MEETING_SOURCES, SupervisionSource, SupervisionStatus

__all__ = [
    "ReportDraft",
    "SupervisionDraft",
    "close_for_problem",
    "close_supervision_item",
    "get_supervision_item",
    "list_supervision_items",
    "list_supervision_reports",
    "list_supervision_results",
    "open_supervision_item",
    "report_supervision_progress",
    "supervision_changed",
    "update_supervision_item",
]


@dataclass(frozen=True, slots=True)
class SupervisionDraft:
    project_id: uuid.UUID
    source: SupervisionSource
    meeting_date: dt.date
    meeting_title: str
    subject: str
    deadline: dt.date
    detail: str | None = None
    owner_name: str | None = None
    owner_unit_name: str | None = None
    owner_person_id: uuid.UUID | None = None
    owner_unit_id: uuid.UUID | None = None
    id: uuid.UUID | None = None


UPDATABLE = frozenset({
    "meeting_date", "meeting_title", "subject", "detail", "deadline", "owner_name", "owner_unit_name",
    "owner_person_id", "owner_unit_id",
})
AUDITED = (*sorted(UPDATABLE), "source", "status", "progress", "result", "closed_on", "problem_id")


def snapshot(item: SupervisionItem) -> dict[str, Any]:
    return {name: getattr(item, name) for name in AUDITED}


def is_overdue(item: SupervisionItem, today: dt.date) -> bool:
    return item.status == SupervisionStatus.open.value and item.deadline < today


def supervision_changed(item: SupervisionItem, change: str) -> SupervisionChanged:
    """The event announcing a change of the item (``problems`` announces the items it opens with it)."""
    return SupervisionChanged(
        id=item.id, project_id=item.project_id, change=change, source=item.source, subject=item.subject,
        status=item.status, deadline=item.deadline, closed_on=item.closed_on, problem_id=item.problem_id,
        version=item.version,
    )


def _check(values: dict[str, Any], today: dt.date) -> list[FieldError]:
    errors = []
    if values["meeting_date"] > today:
        errors.append(FieldError("body.meeting_date", "in_future", "会议日期不能晚于今天"))
    if values["deadline"] < values["meeting_date"]:
        errors.append(FieldError("body.deadline", "before_meeting", "办理时限不能早于会议日期"))
    for name in ("meeting_title", "subject"):
        if not (values.get(name) or "").strip():
            errors.append(FieldError(f"body.{name}", "blank", "不能为空"))
    return errors


async def open_supervision_item(session: AsyncSession, actor: Principal, draft: SupervisionDraft, *,
                                today: dt.date | None = None) -> SupervisionItem:
    """Open an item assigned at a meeting. Items for overdue problems are opened by the system only
    (``problems.escalate_overdue_problems``)."""
    today = today or calendar.today()
    project = await get_project(session, actor, draft.project_id)
    repo = SupervisionRepository(session)
    if draft.id is not None and await repo.exists(draft.id):
        raise SupervisionIdTaken()
    source = SupervisionSource(draft.source)
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    errors = _check(values, today)
    if source not in MEETING_SOURCES:
        errors.append(FieldError("body.source", "system_only", "“问题逾期”督办由系统根据逾期问题自动生成"))
    if errors:
        raise SupervisionInvalid(errors=errors)
    values.update(id=draft.id or uuid.uuid4(), source=source.value, status=SupervisionStatus.open.value,
                  progress=0)
    item = await repo.add(SupervisionItem(**values))
    await RECORDS.record_change(session, actor, action="supervision.open", entity_type="supervision_item",
                                entity_id=item.id, region_code=project.region_code, project_id=item.project_id,
                                after=snapshot(item), event=supervision_changed(item, "opened"))
    return item


async def get_supervision_item(session: AsyncSession, actor: Principal, item_id: uuid.UUID) -> SupervisionItem:
    return await SupervisionRepository(session).require(item_id, actor.scope)


async def _item_and_project(session: AsyncSession, actor: Principal,
                            item_id: uuid.UUID) -> tuple[SupervisionItem, Project]:
    item = await SupervisionRepository(session).require(item_id, actor.scope, lock=True)
    return item, await get_project(session, actor, item.project_id)


async def list_supervision_items(
    session: AsyncSession,
    actor: Principal,
    page: PageRequest,
    *,
    project_id: uuid.UUID | None = None,
    region_prefix: str | None = None,
    status: SupervisionStatus | None = None,
    source: SupervisionSource | None = None,
    overdue: bool | None = None,
    problem_id: uuid.UUID | None = None,
    updated_since: dt.datetime | None = None,
    today: dt.date | None = None,
) -> PageResult[SupervisionItem]:
    if project_id is not None:
        await get_project(session, actor, project_id)
    f = SupervisionFilter(project_id=project_id, region_prefix=region_prefix, status=status.value if status else None,
                          source=source.value if source else None, overdue=overdue, problem_id=problem_id,
                          updated_since=updated_since, today=today or calendar.today())
    return await SupervisionRepository(session).page(f, actor.scope, page)


async def update_supervision_item(session: AsyncSession, actor: Principal, item_id: uuid.UUID,
                                  changes: dict[str, Any], expected_version: int | None, *,
                                  today: dt.date | None = None) -> SupervisionItem:
    today = today or calendar.today()
    item, project = await _item_and_project(session, actor, item_id)
    check_version(item.version, expected_version)
    if item.status != SupervisionStatus.open.value:
        raise SupervisionClosed()
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    before = snapshot(item)
    errors = _check({**before, **changes}, today)
    if errors:
        raise SupervisionInvalid(errors=errors)
    for name, value in changes.items():
        setattr(item, name, value)
    await session.flush()
    after = snapshot(item)
    if after != before:
        await RECORDS.record_change(session, actor, action="supervision.update", entity_type="supervision_item",
                                    entity_id=item.id, region_code=project.region_code, project_id=item.project_id,
                                    before=before, after=after, changed_only=True,
                                    event=supervision_changed(item, "changed"))
    return item


@dataclass(frozen=True, slots=True)
class ReportDraft:
    note: str
    progress: int | None = None
    id: uuid.UUID | None = None


async def report_supervision_progress(session: AsyncSession, actor: Principal, item_id: uuid.UUID,
                                      draft: ReportDraft) -> SupervisionReport:
    """A progress report (办理进展) on an open item; its percent, when given, becomes the item's."""
    item, project = await _item_and_project(session, actor, item_id)
    if item.status != SupervisionStatus.open.value:
        raise SupervisionClosed()
    if not draft.note.strip():
        raise SupervisionInvalid(errors=[FieldError("body.note", "blank", "办理进展不能为空")])
    before = snapshot(item)
    if draft.progress is not None:
        item.progress = draft.progress
    report = SupervisionReport(id=draft.id or uuid.uuid4(), item_id=item.id, project_id=item.project_id,
                               progress=draft.progress, note=draft.note.strip(), reported_by=actor.subject,
                               reported_by_name=actor.name or actor.subject)
    session.add(report)
    await session.flush()
    await RECORDS.record_change(session, actor, action="supervision.progress", entity_type="supervision_item",
                                entity_id=item.id, region_code=project.region_code, project_id=item.project_id,
                                before=before, after={**snapshot(item), "note": report.note},
                                event=supervision_changed(item, "progress"))
    return report


async def list_supervision_reports(session: AsyncSession, actor: Principal,
                                   item_id: uuid.UUID) -> list[SupervisionReport]:
    item = await get_supervision_item(session, actor, item_id)
    return await SupervisionRepository(session).reports(item.id)


async def _close(session: AsyncSession, actor: Principal, item: SupervisionItem, project: Project, result: str,
                 closed_on: dt.date) -> None:
    before = snapshot(item)
    item.status = SupervisionStatus.closed.value
    item.result = result
    item.closed_on = closed_on
    item.progress = 100
    await session.flush()
    await RECORDS.record_change(session, actor, action="supervision.close", entity_type="supervision_item",
                                entity_id=item.id, region_code=project.region_code, project_id=item.project_id,
                                before=before, after=snapshot(item), changed_only=True,
                                event=supervision_changed(item, "closed"))


async def close_supervision_item(session: AsyncSession, actor: Principal, item_id: uuid.UUID, result: str,
                                 expected_version: int | None, *, closed_on: dt.date | None = None,
                                 today: dt.date | None = None) -> SupervisionItem:
    """Close (办结) an item with its result, which the result list publishes."""
    today = today or calendar.today()
    item, project = await _item_and_project(session, actor, item_id)
    check_version(item.version, expected_version)
    if item.status != SupervisionStatus.open.value:
        raise SupervisionClosed()
    closed_on = closed_on or today
    errors = []
    if not result.strip():
        errors.append(FieldError("body.result", "required", "办结须填写办理结果"))
    if closed_on > today:
        errors.append(FieldError("body.closed_on", "in_future", "办结日期不能晚于今天"))
    if closed_on < item.meeting_date:
        errors.append(FieldError("body.closed_on", "before_meeting", "办结日期不能早于交办日期"))
    if errors:
        raise SupervisionInvalid(errors=errors)
    await _close(session, actor, item, project, result.strip(), closed_on)
    return item


async def close_for_problem(session: AsyncSession, actor: Principal, problem: ProblemRecord, project: Project,
                            closed_on: dt.date) -> int:
    """When a problem is closed (销号), its open overdue-problem items are closed with its note."""
    items = await SupervisionRepository(session).open_for_problem(problem.id)
    for item in items:
        day = max(closed_on, item.meeting_date)
        await _close(session, actor, item, project, f"问题已销号：{problem.closing_note}", day)
    return len(items)


async def list_supervision_results(session: AsyncSession, actor: Principal, page: PageRequest, *,
                                   since: dt.date | None = None, until: dt.date | None = None,
                                   region_prefix: str | None = None,
                                   source: SupervisionSource | None = None) -> PageResult[SupervisionItem]:
    """The published result list (督办结果通报): items closed in the period, with their results."""
    if since is not None and until is not None and until < since:
        raise SupervisionInvalid(errors=[FieldError("query.to", "before_from", "结束日期不能早于开始日期")])
    return await SupervisionRepository(session).results(actor.scope, since, until, region_prefix,
                                                        source.value if source else None, page)
