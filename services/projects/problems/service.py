"""Use cases for the problem ledger (问题清单): register (挂号), progress notes, changes, close (销号) only
with a closing note and evidence, reopen with a reason, the status history; and the escalation of
overdue problems to supervision items (one per problem and overdue episode).

They receive the session and the caller and never commit; a problem outside the caller's scope is
"not found"; every change is audited and announced (``projects.problem.changed``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import ProblemChanged
from kernel import calendar
from kernel.audit.chain import diff
from kernel.auth.principal import SYSTEM, Principal
from kernel.concurrency import check_version
from kernel.db.session import utcnow
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from services.projects.database import RECORDS
from services.projects.documents import service as documents
from services.projects.documents.models import WorkDocument
from services.projects.documents.rules import check_withdrawal, mark_withdrawn, withdrawal_audit
from services.projects.problems.errors import (
    ClosureWithoutEvidence,
    EvidenceWithdrawn,
    ProblemIdTaken,
    ProblemInvalid,
    ProblemNotClosed,
    ProblemNotOpen,
)
from services.projects.problems.models import ProblemEvent, ProblemEvidence, ProblemRecord
from services.projects.problems.repository import ProblemFilter, ProblemRepository
from services.projects.problems.vocabulary import ProblemCategory, ProblemEventKind, ProblemStatus
from services.projects.registry.models import Project
from services.projects.registry.service import get_project
from services.projects.supervision.models import SupervisionItem
from services.projects.supervision.service import close_for_problem, supervision_changed
from services.projects.supervision.vocabulary import SupervisionSource, SupervisionStatus

__all__ = [
    "ClosureDraft",
    "EvidenceDraft",
    "ProblemDraft",
    "add_problem_document",
    "add_problem_progress",
    "close_problem",
    "escalate_overdue_problems",
    "get_problem",
    "list_problem_documents",
    "list_problems",
    "problem_evidence",
    "problem_history",
    "register_problem",
    "reopen_problem",
    "update_problem",
    "withdraw_problem_document",
]

#: Calendar days an escalated problem's supervision item gets (default; the job may pass another).
ESCALATION_DEADLINE_DAYS = 7
ESCALATION_MEETING_TITLE = "问题清零逾期自动转督办"


@dataclass(frozen=True, slots=True)
class ProblemDraft:
    """A problem to register (挂号): what, who answers for it, the measure (攻坚措施) and the deadline
    (清零时限). ``registered_on`` defaults to today (an earlier date for a ledger carried over)."""

    project_id: uuid.UUID
    category: ProblemCategory
    title: str
    description: str
    deadline: dt.date
    measure: str | None = None
    owner_name: str | None = None
    owner_unit_name: str | None = None
    owner_person_id: uuid.UUID | None = None
    owner_unit_id: uuid.UUID | None = None
    registered_on: dt.date | None = None
    id: uuid.UUID | None = None


UPDATABLE = frozenset({
    "category", "title", "description", "measure", "deadline", "owner_name", "owner_unit_name",
    "owner_person_id", "owner_unit_id",
})
AUDITED = (*sorted(UPDATABLE), "status", "closed_on", "closing_note", "episode", "registered_on")


def snapshot(problem: ProblemRecord) -> dict[str, Any]:
    return {name: getattr(problem, name) for name in AUDITED}


def is_overdue(problem: ProblemRecord, today: dt.date) -> bool:
    return problem.status == ProblemStatus.open.value and problem.deadline < today


def _changed(problem: ProblemRecord, change: ProblemEventKind | str) -> ProblemChanged:
    return ProblemChanged(
        id=problem.id, project_id=problem.project_id, change=str(change), category=problem.category,
        title=problem.title, status=problem.status, deadline=problem.deadline, closed_on=problem.closed_on,
        episode=problem.episode, version=problem.version,
    )


def _history(problem: ProblemRecord, actor: Principal, kind: ProblemEventKind, note: str | None,
             changes: dict[str, Any] | None = None) -> ProblemEvent:
    return ProblemEvent(id=uuid.uuid4(), problem_id=problem.id, project_id=problem.project_id, kind=kind.value,
                        note=note, status=problem.status, changes=changes, by=actor.subject,
                        by_name=actor.name or actor.subject)


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, uuid.UUID) else v)
            for k, v in values.items()}


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


async def register_problem(session: AsyncSession, actor: Principal, draft: ProblemDraft, *,
                           today: dt.date | None = None) -> ProblemRecord:
    """Register (挂号) a problem of a project in the caller's scope."""
    today = today or calendar.today()
    project = await get_project(session, actor, draft.project_id)
    repo = ProblemRepository(session)
    if draft.id is not None and await repo.exists(draft.id):
        raise ProblemIdTaken()
    registered_on = draft.registered_on or today
    errors = []
    if registered_on > today:
        errors.append(FieldError("body.registered_on", "in_future", "挂号日期不能晚于今天"))
    if draft.deadline < registered_on:
        errors.append(FieldError("body.deadline", "before_registration", "清零时限不能早于挂号日期"))
    for name in ("title", "description"):
        if _blank(getattr(draft, name)):
            errors.append(FieldError(f"body.{name}", "blank", "不能为空"))
    if errors:
        raise ProblemInvalid(errors=errors)
    values = {f.name: getattr(draft, f.name) for f in fields(draft)}
    values.update(id=draft.id or uuid.uuid4(), category=ProblemCategory(draft.category).value,
                  registered_on=registered_on, status=ProblemStatus.open.value, episode=1)
    problem = await repo.add(ProblemRecord(**values))
    session.add(_history(problem, actor, ProblemEventKind.registered, None))
    await session.flush()
    await RECORDS.record_change(session, actor, action="problem.register", entity_type="problem",
                                entity_id=problem.id, region_code=project.region_code, project_id=problem.project_id,
                                after=snapshot(problem), event=_changed(problem, ProblemEventKind.registered))
    return problem


async def get_problem(session: AsyncSession, actor: Principal, problem_id: uuid.UUID) -> ProblemRecord:
    return await ProblemRepository(session).require(problem_id, actor.scope)


async def _problem_and_project(session: AsyncSession, actor: Principal,
                               problem_id: uuid.UUID) -> tuple[ProblemRecord, Project]:
    problem = await ProblemRepository(session).require(problem_id, actor.scope, lock=True)
    return problem, await get_project(session, actor, problem.project_id)


async def list_problems(
    session: AsyncSession,
    actor: Principal,
    page: PageRequest,
    *,
    project_id: uuid.UUID | None = None,
    region_prefix: str | None = None,
    status: ProblemStatus | None = None,
    category: ProblemCategory | None = None,
    overdue: bool | None = None,
    due_within_days: int | None = None,
    updated_since: dt.datetime | None = None,
    today: dt.date | None = None,
) -> PageResult[ProblemRecord]:
    """A page of problems in the caller's scope, by deadline. ``due_within_days``: open problems past
    their deadline or due within that many days (the 10-day coordination agenda, 旬协调)."""
    today = today or calendar.today()
    if project_id is not None:
        await get_project(session, actor, project_id)
    f = ProblemFilter(project_id=project_id, region_prefix=region_prefix, status=status.value if status else None,
                      category=category.value if category else None, overdue=overdue,
                      due_by=today + dt.timedelta(days=due_within_days) if due_within_days is not None else None,
                      updated_since=updated_since, today=today)
    return await ProblemRepository(session).page(f, actor.scope, page)


async def update_problem(session: AsyncSession, actor: Principal, problem_id: uuid.UUID, changes: dict[str, Any],
                         expected_version: int | None) -> ProblemRecord:
    """Change an open problem. Moving its deadline starts a new overdue episode."""
    problem, project = await _problem_and_project(session, actor, problem_id)
    check_version(problem.version, expected_version)
    if problem.status != ProblemStatus.open.value:
        raise ProblemNotOpen("reopen the problem to change it")
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    errors = [FieldError(f"body.{name}", "blank", "不能为空") for name in ("title", "description")
              if name in changes and _blank(changes[name])]
    if "deadline" in changes and changes["deadline"] < problem.registered_on:
        errors.append(FieldError("body.deadline", "before_registration", "清零时限不能早于挂号日期"))
    if errors:
        raise ProblemInvalid(errors=errors)
    before = snapshot(problem)
    for name, value in changes.items():
        setattr(problem, name, value.value if isinstance(value, ProblemCategory) else value)
    if problem.deadline != before["deadline"]:
        problem.episode = before["episode"] + 1
    await session.flush()
    after = snapshot(problem)
    if after != before:
        changed = diff(before, after)
        session.add(_history(problem, actor, ProblemEventKind.changed, None,
                             _jsonable({k: v for k, v in (changed["after"] or {}).items()})))
        await session.flush()
        await RECORDS.record_change(session, actor, action="problem.update", entity_type="problem",
                                    entity_id=problem.id, region_code=project.region_code,
                                    project_id=problem.project_id, before=before, after=after, changed_only=True,
                                    event=_changed(problem, ProblemEventKind.changed))
    return problem


async def add_problem_progress(session: AsyncSession, actor: Principal, problem_id: uuid.UUID, note: str,
                               ident: uuid.UUID | None = None) -> ProblemEvent:
    """A progress note (进展) on an open problem. The problem's version does not change."""
    problem, project = await _problem_and_project(session, actor, problem_id)
    if problem.status != ProblemStatus.open.value:
        raise ProblemNotOpen()
    if _blank(note):
        raise ProblemInvalid(errors=[FieldError("body.note", "blank", "进展说明不能为空")])
    event = _history(problem, actor, ProblemEventKind.progress, note.strip())
    if ident is not None:
        event.id = ident
    session.add(event)
    await session.flush()
    await RECORDS.record_change(session, actor, action="problem.progress", entity_type="problem",
                                entity_id=problem.id, region_code=project.region_code, project_id=problem.project_id,
                                after={"note": event.note}, event=_changed(problem, ProblemEventKind.progress))
    return event


@dataclass(frozen=True, slots=True)
class EvidenceDraft:
    """An evidence item: a document uploaded to the problem, or a reference (文件依据, 会议纪要编号...)."""

    document_id: uuid.UUID | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class ClosureDraft:
    note: str
    evidence: tuple[EvidenceDraft, ...]
    closed_on: dt.date | None = None


async def close_problem(session: AsyncSession, actor: Principal, problem_id: uuid.UUID, draft: ClosureDraft,
                        expected_version: int | None, *, today: dt.date | None = None) -> ProblemRecord:
    """Close (销号) an open problem: only with a closing note and at least one evidence item. Its open
    supervision items for being overdue are closed with it."""
    today = today or calendar.today()
    problem, project = await _problem_and_project(session, actor, problem_id)
    check_version(problem.version, expected_version)
    if problem.status != ProblemStatus.open.value:
        raise ProblemNotOpen()
    errors = []
    if _blank(draft.note):
        errors.append(FieldError("body.note", "required", "销号须填写销号说明"))
    items = [e for e in draft.evidence if e.document_id is not None or not _blank(e.reference)]
    if not items:
        errors.append(FieldError("body.evidence", "required", "销号须提供至少一项佐证材料（已上传的附件或文件依据）"))
    closed_on = draft.closed_on or today
    if closed_on > today:
        errors.append(FieldError("body.closed_on", "in_future", "销号日期不能晚于今天"))
    if closed_on < problem.registered_on:
        errors.append(FieldError("body.closed_on", "before_registration", "销号日期不能早于挂号日期"))
    document_ids = [e.document_id for e in items if e.document_id is not None]
    found = {d.id: d for d in await documents.problem_documents_among(session, problem.id, document_ids)}
    withdrawn: list[str] = []
    for i, e in enumerate(items):
        if e.document_id is None:
            continue
        document = found.get(e.document_id)
        if document is None:
            errors.append(FieldError(f"body.evidence[{i}].document_id", "unknown_document",
                                     "附件不存在或不属于该问题，请先上传到该问题"))
        elif document.withdrawn_at is not None:
            withdrawn.append(str(document.id))
            errors.append(FieldError(f"body.evidence[{i}].document_id", "withdrawn_document",
                                     f"附件“{document.file_name}”已作废，不能作为销号佐证"))
    if errors:
        # Only withdrawn documents in the way: say so with its own code; otherwise the general one.
        only_withdrawn = all(e.code == "withdrawn_document" for e in errors)
        error = EvidenceWithdrawn if only_withdrawn else ClosureWithoutEvidence
        raise error(errors=errors, extra={"withdrawn_documents": withdrawn} if withdrawn else None)
    before = snapshot(problem)
    problem.status = ProblemStatus.closed.value
    problem.closed_on = closed_on
    problem.closing_note = draft.note.strip()
    await session.flush()
    event = _history(problem, actor, ProblemEventKind.closed, problem.closing_note)
    session.add(event)
    await session.flush()
    for e in items:
        session.add(ProblemEvidence(id=uuid.uuid4(), problem_id=problem.id, project_id=problem.project_id,
                                    closure_event_id=event.id, document_id=e.document_id,
                                    reference=e.reference.strip() if e.reference and e.reference.strip() else None))
    await session.flush()
    await RECORDS.record_change(session, actor, action="problem.close", entity_type="problem",
                                entity_id=problem.id, region_code=project.region_code, project_id=problem.project_id,
                                before=before, after=snapshot(problem), changed_only=True,
                                event=_changed(problem, ProblemEventKind.closed))
    # Supervision of the problem ends with it.
    await close_for_problem(session, actor, problem, project, closed_on)
    return problem


async def reopen_problem(session: AsyncSession, actor: Principal, problem_id: uuid.UUID, reason: str,
                         expected_version: int | None, *, deadline: dt.date | None = None,
                         today: dt.date | None = None) -> ProblemRecord:
    """Reopen a closed problem with a reason (and possibly a new deadline): a new overdue episode."""
    today = today or calendar.today()
    problem, project = await _problem_and_project(session, actor, problem_id)
    check_version(problem.version, expected_version)
    if problem.status != ProblemStatus.closed.value:
        raise ProblemNotClosed()
    errors = []
    if _blank(reason):
        errors.append(FieldError("body.reason", "required", "重新打开须说明原因"))
    if deadline is not None and deadline < today:
        errors.append(FieldError("body.deadline", "in_past", "新的清零时限不能早于今天"))
    if errors:
        raise ProblemInvalid(errors=errors)
    before = snapshot(problem)
    problem.status = ProblemStatus.open.value
    problem.closed_on = None
    problem.closing_note = None
    problem.episode = before["episode"] + 1
    if deadline is not None:
        problem.deadline = deadline
    await session.flush()
    session.add(_history(problem, actor, ProblemEventKind.reopened, reason.strip(),
                         _jsonable({"deadline": problem.deadline}) if deadline is not None else None))
    await session.flush()
    await RECORDS.record_change(session, actor, action="problem.reopen", entity_type="problem",
                                entity_id=problem.id, region_code=project.region_code, project_id=problem.project_id,
                                before=before, after=snapshot(problem), changed_only=True,
                                event=_changed(problem, ProblemEventKind.reopened))
    return problem


async def problem_history(session: AsyncSession, actor: Principal, problem_id: uuid.UUID) -> list[ProblemEvent]:
    problem = await get_problem(session, actor, problem_id)
    return await ProblemRepository(session).history(problem.id)


async def problem_evidence(session: AsyncSession, actor: Principal,
                           problem_id: uuid.UUID) -> list[ProblemEvidence]:
    problem = await get_problem(session, actor, problem_id)
    return await ProblemRepository(session).evidence(problem.id)


async def add_problem_document(session: AsyncSession, actor: Principal, problem_id: uuid.UUID,
                               upload: documents.Upload, storage: documents.DocumentStorage) -> WorkDocument:
    """Upload a document to a problem (to cite it as closing evidence)."""
    problem, project = await _problem_and_project(session, actor, problem_id)
    document = await documents.store_document(session, actor, upload, storage, project_id=problem.project_id,
                                              problem_id=problem.id)
    await RECORDS.record_change(session, actor, action="problem.document.add", entity_type="problem",
                                entity_id=problem.id, region_code=project.region_code, project_id=problem.project_id,
                                after={"document_id": document.id, "file_name": document.file_name,
                                       "sha256": document.sha256, "size_bytes": document.size_bytes},
                                event=_changed(problem, "document"))
    return document


async def list_problem_documents(session: AsyncSession, actor: Principal, problem_id: uuid.UUID, *,
                                 include_withdrawn: bool = False) -> list[WorkDocument]:
    """The problem's documents by upload time; withdrawn ones (作废) only with ``include_withdrawn``."""
    problem = await get_problem(session, actor, problem_id)
    return await documents.problem_documents(session, problem.id, include_withdrawn=include_withdrawn)


async def withdraw_problem_document(session: AsyncSession, actor: Principal, document: WorkDocument,
                                    reason: str) -> WorkDocument:
    """Withdraw (作废) a document of a problem: ``document`` is one the caller sees and may withdraw (see
    ``documents.service.withdraw_document``). Refused while the problem is closed and a closure names
    the document as evidence. The problem is locked first, then the document, as closing does: a
    withdrawal and a closure at once never both succeed with the same document."""
    if document.problem_id is None:
        raise ValueError("not a problem's document")
    problem, project = await _problem_and_project(session, actor, document.problem_id)
    repo = ProblemRepository(session)
    locked = await documents.lock_document(session, actor, document.id)
    before = withdrawal_audit(locked)
    closing_evidence = (problem.status == ProblemStatus.closed.value
                        and await repo.cites_as_evidence(problem.id, locked.id))
    cleaned = check_withdrawal(locked, reason, closing_evidence=closing_evidence)
    mark_withdrawn(locked, actor, cleaned, utcnow())
    await session.flush()
    await RECORDS.record_change(session, actor, action="problem.document.withdraw", entity_type="problem",
                                entity_id=problem.id, region_code=project.region_code, project_id=problem.project_id,
                                before=before, after=withdrawal_audit(locked),
                                event=_changed(problem, "document_withdrawn"))
    return locked


# --- escalation ---------------------------------------------------------------------------------------


async def escalate_overdue_problems(session: AsyncSession, today: dt.date, *,
                                    deadline_days: int = ESCALATION_DEADLINE_DAYS, batch: int = 500) -> int:
    """Open one supervision item (督办, source 问题逾期) for each open problem past its deadline whose
    current overdue episode has none yet; returns how many it opened. Idempotent: a rerun opens nothing
    more; a problem reopened, or given a new deadline, and overdue again opens a new one. Runs as the
    SYSTEM actor; the caller's session must see every project (scope everything)."""
    repo = ProblemRepository(session)
    opened = 0
    while True:
        problems = await repo.overdue_without_supervision(today, batch)
        for problem in problems:
            project = await get_project(session, SYSTEM, problem.project_id)
            item = SupervisionItem(
                id=uuid.uuid4(), project_id=problem.project_id, source=SupervisionSource.overdue_problem.value,
                meeting_date=today, meeting_title=ESCALATION_MEETING_TITLE,
                subject=f"逾期问题督办：{problem.title}"[:200],
                detail=(f"问题类别：{ProblemCategory(problem.category).label}；"
                        f"清零时限 {problem.deadline.isoformat()} 已过未销号。问题描述：{problem.description}"),
                deadline=today + dt.timedelta(days=deadline_days), status=SupervisionStatus.open.value, progress=0,
                owner_name=problem.owner_name, owner_unit_name=problem.owner_unit_name,
                owner_person_id=problem.owner_person_id, owner_unit_id=problem.owner_unit_id,
                problem_id=problem.id, problem_episode=problem.episode)
            session.add(item)
            note = f"逾期转督办（第 {problem.episode} 次逾期）"
            session.add(_history(problem, SYSTEM, ProblemEventKind.escalated, note,
                                 {"supervision_item_id": str(item.id)}))
            await session.flush()
            # Two events, the item's then the problem's, and the item's audit entry last.
            await RECORDS.outbox.emit(session, supervision_changed(item, "opened"), aggregate_type="supervision_item",
                                      aggregate_id=item.id, region_code=project.region_code,
                                      project_id=item.project_id)
            await RECORDS.record_change(session, SYSTEM, action="supervision.escalate", entity_type="supervision_item",
                                        entity_id=item.id, region_code=project.region_code,
                                        project_id=item.project_id,
                                        after={"problem_id": problem.id, "episode": problem.episode,
                                               "deadline": item.deadline, "subject": item.subject},
                                        event=_changed(problem, ProblemEventKind.escalated),
                                        aggregate_type="problem", aggregate_id=problem.id)
            opened += 1
        if len(problems) < batch:
            return opened
