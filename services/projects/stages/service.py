"""Use cases: a project's stages (plan, gate, move, history). The gate facts come
from this service's own tables (approval tasks, consultations, parcels) and from the
read models fed by relocation's and funding's events (``feeds``)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import LandPath, ProjectType, Stage, StageChanged, StagePlanChanged
from kernel.auth.principal import Principal
from kernel.concurrency import check_version
from kernel.db.session import utcnow
from kernel.errors import FieldError
from services.projects.database import RECORDS
from services.projects.feeds import service as feeds
from services.projects.registry.models import Project
from services.projects.registry.service import announce_project, get_project
from services.projects.stages.errors import StageGateUnmet, StageMoveRefused, StagePlanInvalid
from services.projects.stages.models import StagePlan, StageTransition
from services.projects.stages.repository import GateRepository, StagePlanRepository, TransitionRepository
from services.projects.stages.rules import (
    Decision,
    GateFacts,
    GateRules,
    StageGate,
    decide,
    path_for,
    registration_gates,
)

_WILLINGNESS = "willingness"
_RESIDENT_AGREEMENT = ("willingness", "renovation_menu")


@dataclass(frozen=True, slots=True)
class StageRow:
    stage: Stage
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_start: dt.date | None
    actual_end: dt.date | None
    current: bool
    delayed: bool        # the plan says it should have started (or ended) by today and it has not


@dataclass(frozen=True, slots=True)
class Overview:
    project: Project
    stages: list[StageRow]
    next_stage: Stage | None
    next_gate: Decision | None


async def _last_closed_met(repo: GateRepository, project_id: uuid.UUID, kinds: tuple[str, ...]) -> bool | None:
    result = await repo.last_closed_result(project_id, kinds)
    if result is None:
        return None
    return bool(result.get("threshold_met"))


async def gate_facts(session: AsyncSession, project: Project) -> GateFacts:
    pid = project.id
    repo = GateRepository(session)
    done = await repo.done_task_kinds(pid, ("project_approval", "stability_assessment"))
    by_status = await repo.parcels_by_status(pid)
    reported = await feeds.figures(session, pid)
    progress, scheme, account = reported.progress, reported.scheme, reported.account
    return GateFacts(
        approval_done="project_approval" in done,
        stability_assessed="stability_assessment" in done or bool(scheme and scheme.stability_assessed_on),
        willingness_met=await _last_closed_met(repo, pid, (_WILLINGNESS,)),
        consultation_met=await _last_closed_met(repo, pid, _RESIDENT_AGREEMENT),
        parcels_total=sum(by_status.values()),
        parcels_handed_over=sum(by_status.get(s, 0) for s in ("handed_over", "listed", "sold")),
        parcels_supplied=sum(by_status.get(s, 0) for s in ("listed", "sold")),
        households_total=progress.households_total if progress else None,
        households_demolished_or_closed=(progress.demolished + progress.closed_otherwise) if progress else None,
        comment_opened_on=scheme.comment_opened_on if scheme else None,
        comment_closes_on=scheme.comment_closes_on if scheme else None,
        scheme_budget=scheme.budget if scheme else None,
        dedicated_balance=account.balance if account else None,
    )


async def passed_gates(session: AsyncSession, project: Project, today: dt.date, rules: GateRules) -> list[StageGate]:
    """The gates of the stages a project registered mid-way claims to have passed, as they stand
    today over what the platform knows (reported, not enforced: decision 0021)."""
    facts = await gate_facts(session, project)
    return registration_gates(ProjectType(project.type), LandPath(project.land_path), Stage(project.stage), facts,
                              today, rules)


async def _plans(session: AsyncSession, project_id: uuid.UUID) -> dict[str, StagePlan]:
    return await StagePlanRepository(session).of_project(project_id)


def _next(project: Project) -> Stage | None:
    path = path_for(project.type)
    stage = Stage(project.stage)
    if stage not in path:
        return None
    i = path.index(stage)
    return path[i + 1] if i + 1 < len(path) else None


async def overview(session: AsyncSession, actor: Principal, project_id: uuid.UUID, today: dt.date,
                   rules: GateRules) -> Overview:
    project = await get_project(session, actor, project_id)
    plans = await _plans(session, project.id)
    rows = []
    for stage in path_for(project.type):
        p = plans.get(stage.value)
        current = stage.value == project.stage
        started = p.actual_start if p else None
        ended = p.actual_end if p else None
        delayed = bool(p and ((p.planned_start and not started and p.planned_start < today and not current)
                              or (p.planned_end and not ended and p.planned_end < today)))
        rows.append(StageRow(stage, p.planned_start if p else None, p.planned_end if p else None, started, ended,
                             current, delayed))
    nxt = _next(project)
    decision = None
    if nxt is not None:
        facts = await gate_facts(session, project)
        decision = decide(Stage(project.stage), nxt, ProjectType(project.type), LandPath(project.land_path), facts,
                          today, today, rules)
    return Overview(project, rows, nxt, decision)


async def _touch(session: AsyncSession, project: Project) -> None:
    """Bump the project's version (its ETag covers its stages)."""
    project.updated_at = utcnow()
    await session.flush()


async def plan_stages(session: AsyncSession, actor: Principal, project_id: uuid.UUID,
                      plans: dict[Stage, tuple[dt.date | None, dt.date | None]],
                      expected_version: int | None) -> Project:
    project = await get_project(session, actor, project_id)
    check_version(project.version, expected_version)
    path = path_for(project.type)
    errors = []
    for stage, (start, end) in plans.items():
        if stage not in path:
            errors.append(FieldError(f"body.stages.{stage.value}", "not_on_path",
                                     f"该类型项目不经过“{stage.label}”阶段"))
        elif start and end and start > end:
            errors.append(FieldError(f"body.stages.{stage.value}", "end_before_start",
                                     f"“{stage.label}”计划结束日期早于开始日期"))
    if errors:
        raise StagePlanInvalid(errors=errors)
    existing = await _plans(session, project.id)
    before = {s: [str(p.planned_start), str(p.planned_end)] for s, p in existing.items()}
    for stage, (start, end) in plans.items():
        row = existing.get(stage.value)
        if row is None:
            row = StagePlan(project_id=project.id, stage=stage.value)
            session.add(row)
            existing[stage.value] = row
        row.planned_start, row.planned_end = start, end
    await _touch(session, project)
    after = {s: [str(p.planned_start), str(p.planned_end)] for s, p in existing.items()}
    await RECORDS.record_change(session, actor, action="project.stage_plan", entity_type="project",
                                entity_id=project.id, region_code=project.region_code, project_id=project.id,
                                before=before, after=after, changed_only=True, event=StagePlanChanged(
                                    project_id=project.id, region_code=project.region_code,
                                    stages=[{"stage": s.value, "planned_start": a and a.isoformat(),
                                             "planned_end": b and b.isoformat()} for s, (a, b) in plans.items()]))
    return project


def _conditions_json(decision: Decision) -> list[dict[str, Any]]:
    return [{"code": c.code, "label": c.label, "met": c.met, "detail": c.detail} for c in decision.conditions]


async def move_stage(session: AsyncSession, actor: Principal, project_id: uuid.UUID, target: Stage,
                     on: dt.date | None, note: str | None, expected_version: int | None, today: dt.date,
                     rules: GateRules) -> tuple[Project, StageTransition]:
    project = await get_project(session, actor, project_id)
    check_version(project.version, expected_version)
    on = on or today
    current = Stage(project.stage)
    facts = await gate_facts(session, project)
    decision = decide(current, target, ProjectType(project.type), LandPath(project.land_path), facts, on, today,
                      rules)
    if decision.kind == "refused":
        raise StageMoveRefused(decision.reason, errors=[FieldError("body.to_stage", "not_next", decision.reason)])
    if not decision.allowed:
        unmet = decision.unmet
        raise StageGateUnmet(
            "未满足：" + "；".join(c.label for c in unmet),
            errors=[FieldError(f"conditions.{c.code}", c.code, f"{c.label}（{c.detail}）" if c.detail else c.label)
                    for c in unmet],
            extra={"conditions": _conditions_json(decision)})
    plans = await _plans(session, project.id)
    started = plans.get(current.value)
    if started and started.actual_start and on < started.actual_start:
        raise StagePlanInvalid(errors=[FieldError("body.on", "before_current_start",
                                                  f"日期早于当前阶段的开始日期 {started.actual_start.isoformat()}")])
    if started is None:
        started = StagePlan(project_id=project.id, stage=current.value)
        session.add(started)
    started.actual_end = on
    entered = plans.get(target.value)
    if entered is None:
        entered = StagePlan(project_id=project.id, stage=target.value)
        session.add(entered)
    entered.actual_start, entered.actual_end = on, None
    before = {"stage": project.stage}
    project.stage = target.value
    await session.flush()
    transition = StageTransition(project_id=project.id, from_stage=current.value, to_stage=target.value,
                                 kind=decision.kind, on=on, at=utcnow(), actor=actor.subject,
                                 actor_name=actor.name or actor.subject, note=note,
                                 conditions=_conditions_json(decision))
    session.add(transition)
    await session.flush()
    await announce_project(session, project)
    await RECORDS.record_change(session, actor, action=f"project.stage_{decision.kind}", entity_type="project",
                                entity_id=project.id, region_code=project.region_code, project_id=project.id,
                                before=before, after={"stage": project.stage}, changed_only=True,
                                event=StageChanged(project_id=project.id, region_code=project.region_code,
                                                   from_stage=current.value, to_stage=target.value,
                                                   kind=decision.kind, on=on, project_version=project.version))
    return project, transition


async def history(session: AsyncSession, actor: Principal, project_id: uuid.UUID) -> list[StageTransition]:
    project = await get_project(session, actor, project_id)
    return await TransitionRepository(session).of_project(project.id)
