"""Use cases: escalation rules (data), their evaluation by the scheduled job over the
weekly signing figures (``feeds``, fed by relocation's events), and the
firings with the people concerned and their resolution."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import EscalationFired, EscalationResolved
from kernel.auth.principal import SYSTEM, Principal
from kernel.concurrency import check_version
from kernel.db.session import utcnow
from kernel.pagination import PageRequest, PageResult
from services.projects.command.vocabulary import ResponsibilityLevel
from services.projects.database import RECORDS
from services.projects.escalation import rules as pure
from services.projects.escalation.errors import FiringAlreadyResolved, RuleCodeTaken, RuleInvalid, RuleNotFound
from services.projects.escalation.models import EscalationFiring, EscalationRule
from services.projects.escalation.repository import (
    EvaluationRepository,
    FiringFilter,
    FiringRepository,
    RuleRepository,
)
from services.projects.feeds import service as feeds
from services.projects.registry.models import Project

RULE_FIELDS = ("name", "window_weeks", "threshold", "active", "action", "concerns", "region_prefix")


def subdistrict_of(region_code: str) -> str:
    """The 12-digit code of the sub-district (街道/乡镇) a region lies in."""
    return region_code[:9] + "000"


# --- rules ---------------------------------------------------------------------------------------

async def list_rules(session: AsyncSession) -> list[EscalationRule]:
    return await RuleRepository(session).all()


async def create_rule(session: AsyncSession, actor: Principal, values: dict[str, Any]) -> EscalationRule:
    errors = pure.unknown_concerns(values.get("concerns", []))
    if errors:
        raise RuleInvalid(errors=errors)
    if await RuleRepository(session).code_taken(values["code"]):
        raise RuleCodeTaken()
    rule = EscalationRule(id=uuid.uuid4(), **values)
    session.add(rule)
    await session.flush()
    await RECORDS.record_change(session, actor, action="escalation_rule.create", entity_type="escalation_rule",
                                entity_id=rule.id, after={k: getattr(rule, k) for k in ("code", *RULE_FIELDS)})
    return rule


async def get_rule(session: AsyncSession, rule_id: uuid.UUID) -> EscalationRule:
    rule = await RuleRepository(session).get(rule_id)
    if rule is None:
        raise RuleNotFound()
    return rule


async def update_rule(session: AsyncSession, actor: Principal, rule_id: uuid.UUID, changes: dict[str, Any],
                      expected_version: int | None) -> EscalationRule:
    rule = await get_rule(session, rule_id)
    check_version(rule.version, expected_version)
    before = {k: getattr(rule, k) for k in RULE_FIELDS}
    for k, v in changes.items():
        setattr(rule, k, v)
    await session.flush()
    after = {k: getattr(rule, k) for k in RULE_FIELDS}
    if after != before:
        await RECORDS.record_change(session, actor, action="escalation_rule.update", entity_type="escalation_rule",
                                    entity_id=rule.id, before=before, after=after, changed_only=True)
    return rule


# --- evaluation ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Signing:
    project: Project
    counting_from: dt.date


async def _signing_projects(session: AsyncSession) -> list[Signing]:
    """Projects in their signing period, and the date their weeks start counting from:
    the signing stage's actual start, else the day the project was registered."""
    rows = await EvaluationRepository(session).signing_projects()
    return [Signing(p, start or p.created_at.date()) for p, start in rows]


async def _people(session: AsyncSession, project_ids: list[uuid.UUID], levels: list[str]) -> list[dict[str, Any]]:
    if not project_ids or not levels:
        return []
    rows = await EvaluationRepository(session).responsibilities(project_ids, levels)
    seen: set[tuple[str, uuid.UUID]] = set()
    people = []
    for r in rows:
        if (r.level, r.person_id) in seen:
            continue
        seen.add((r.level, r.person_id))
        people.append({"level": r.level, "level_label": ResponsibilityLevel.label_of(r.level),
                       "person_id": str(r.person_id), "name": r.person_name})
    return people


async def evaluate_escalations(session: AsyncSession, today: dt.date) -> dict[str, int]:
    """The scheduled job: fire every rule that is due, once per subject and episode."""
    rules = [r for r in await list_rules(session) if r.active and r.metric == "signings"]
    signing = await _signing_projects(session)
    weekly = await feeds.weekly_signings(session, [s.project.id for s in signing])
    firings = FiringRepository(session)
    fired = 0
    for rule in rules:
        applicable = [s for s in signing if not rule.region_prefix
                      or s.project.region_code.startswith(rule.region_prefix)]
        series: list[pure.Series] = []
        members: dict[str, list[Project]] = {}
        if rule.subject == "project":
            for s in applicable:
                figures: dict[dt.date, int] = defaultdict(int)
                for by_week in weekly.get(s.project.id, {}).values():
                    for week, n in by_week.items():
                        figures[week] += n
                series.append(pure.Series(str(s.project.id), s.counting_from, dict(figures)))
                members[str(s.project.id)] = [s.project]
        else:
            grouped: dict[str, list[Signing]] = defaultdict(list)
            for s in applicable:
                grouped[subdistrict_of(s.project.region_code)].append(s)
            for code, group in grouped.items():
                figures = defaultdict(int)
                for s in group:
                    for week, n in weekly.get(s.project.id, {}).get(code, {}).items():
                        figures[week] += n
                series.append(pure.Series(code, min(s.counting_from for s in group), dict(figures)))
                members[code] = [s.project for s in group]
        already = {(str(rule.id), key, start) for key, start in await firings.episodes(rule.id)}
        due = pure.evaluate([pure.Rule(str(rule.id), rule.window_weeks, rule.threshold)], series, today, already)
        for f in due:
            projects = members[f.subject]
            single = projects[0] if rule.subject == "project" else None
            region = single.region_code if single else f.subject
            people = await _people(session, [p.id for p in projects], list(rule.concerns))
            firing_id = uuid.uuid4()
            inserted = await firings.add_once(dict(
                id=firing_id, rule_id=rule.id, subject_kind=rule.subject, subject_key=f.subject,
                project_id=single.id if single else None, region_code=region, episode_start=f.episode_start,
                week_ending=f.week_ending, weeks=f.weeks, people=people, version=1,
            ))
            if inserted is None:
                continue  # another run got there first
            fired += 1
            await RECORDS.record_change(
                session, SYSTEM, action="escalation.fire", entity_type="escalation_firing", entity_id=firing_id,
                region_code=region, project_id=single.id if single else None,
                after={"rule": rule.code, "subject": f.subject, "weeks": f.weeks, "episode_start": f.episode_start},
                event=EscalationFired(
                    firing_id=firing_id, rule_code=rule.code, rule_name=rule.name, action=rule.action,
                    subject_kind=rule.subject, subject_key=f.subject, project_id=single.id if single else None,
                    region_code=region, episode_start=f.episode_start, week_ending=f.week_ending, weeks=f.weeks,
                    people=[{k: str(v) for k, v in p.items()} for p in people]))
    return {"rules": len(rules), "subjects": len(signing), "fired": fired}


# --- firings -------------------------------------------------------------------------------------

async def list_firings(session: AsyncSession, actor: Principal, page: PageRequest, *,
                       project_id: uuid.UUID | None = None, open_only: bool = False,
                       region_prefix: str | None = None) -> PageResult[EscalationFiring]:
    f = FiringFilter(project_id=project_id, open_only=open_only, region_prefix=region_prefix)
    return await FiringRepository(session).page(f, actor.scope, page)


async def get_firing(session: AsyncSession, actor: Principal, firing_id: uuid.UUID) -> EscalationFiring:
    return await FiringRepository(session).require(firing_id, actor.scope)


async def resolve_firing(session: AsyncSession, actor: Principal, firing_id: uuid.UUID, note: str,
                         expected_version: int | None) -> EscalationFiring:
    firing = await get_firing(session, actor, firing_id)
    check_version(firing.version, expected_version)
    if firing.resolved_at is not None:
        raise FiringAlreadyResolved()
    firing.resolved_at = utcnow()
    firing.resolved_by = actor.name or actor.subject
    firing.resolution_note = note
    await session.flush()
    await RECORDS.record_change(session, actor, action="escalation.resolve", entity_type="escalation_firing",
                                entity_id=firing.id, region_code=firing.region_code, project_id=firing.project_id,
                                before={"resolved_at": None}, after={"resolved_at": firing.resolved_at, "note": note},
                                event=EscalationResolved(firing_id=firing.id, project_id=firing.project_id,
                                                         region_code=firing.region_code,
                                                         resolved_at=firing.resolved_at, note=note))
    return firing


async def rules_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, EscalationRule]:
    return await RuleRepository(session).by_ids(ids)
