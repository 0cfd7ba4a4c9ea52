"""Queries of escalation rules and their firings, and what the evaluation reads of other
slices' tables: the projects in their signing period (with their stage plan) and the people
of their responsibility chains. Firings are read within the caller's scope."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import Stage
from kernel.auth.principal import DataScope
from kernel.db.repository import Repository, ScopedRepository, scope_clause
from kernel.pagination import PageRequest, PageResult
from services.projects.command.models import Responsibility
from services.projects.escalation.errors import FiringNotFound
from services.projects.escalation.models import EscalationFiring, EscalationRule
from services.projects.registry.models import Project
from services.projects.stages.models import StagePlan


@dataclass(frozen=True, slots=True)
class FiringFilter:
    project_id: uuid.UUID | None = None
    open_only: bool = False
    region_prefix: str | None = None


class RuleRepository(Repository[EscalationRule]):
    model = EscalationRule

    async def all(self) -> list[EscalationRule]:
        """Every rule, the shortest window first."""
        return list((await self.session.scalars(select(EscalationRule).order_by(EscalationRule.window_weeks,
                                                                                EscalationRule.code))).all())

    async def code_taken(self, code: str) -> bool:
        return bool(await self.session.scalar(select(EscalationRule.id).where(EscalationRule.code == code)))

    async def by_ids(self, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, EscalationRule]:
        if not ids:
            return {}
        rows = (await self.session.scalars(select(EscalationRule).where(EscalationRule.id.in_(ids)))).all()
        return {r.id: r for r in rows}


class FiringRepository(ScopedRepository[EscalationFiring]):
    model = EscalationFiring
    not_found = FiringNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return scope_clause(scope, EscalationFiring.region_code, EscalationFiring.project_id)

    async def page(self, f: FiringFilter, scope: DataScope, page: PageRequest) -> PageResult[EscalationFiring]:
        stmt = self.scoped(scope)
        if f.project_id is not None:
            stmt = stmt.where(EscalationFiring.project_id == f.project_id)
        if f.open_only:
            stmt = stmt.where(EscalationFiring.resolved_at.is_(None))
        if f.region_prefix:
            stmt = stmt.where(EscalationFiring.region_code.startswith(f.region_prefix, autoescape=True))
        return await self.paginate(stmt, [EscalationFiring.created_at, EscalationFiring.id], page)

    async def episodes(self, rule_id: uuid.UUID) -> list[tuple[str, dt.date]]:
        """The (subject, first week) of every firing of the rule."""
        rows = await self.session.execute(select(EscalationFiring.subject_key, EscalationFiring.episode_start)
                                          .where(EscalationFiring.rule_id == rule_id))
        return [(key, start) for key, start in rows.all()]

    async def add_once(self, values: dict[str, Any]) -> uuid.UUID | None:
        """Insert the firing unless the rule already fired for that subject and episode (another
        run got there first): its id, or None."""
        inserted: uuid.UUID | None = await self.session.scalar(
            insert(EscalationFiring).values(**values)
            .on_conflict_do_nothing(constraint="uq_escalation_firing_once").returning(EscalationFiring.id))
        return inserted


class EvaluationRepository:
    """What the evaluation reads of the projects, their stage plans and their responsibility chains."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def signing_projects(self) -> list[tuple[Project, dt.date | None]]:
        """Projects in their signing period, with the signing stage's actual start (if recorded)."""
        rows = (await self.session.execute(
            select(Project, StagePlan.actual_start)
            .outerjoin(StagePlan, (StagePlan.project_id == Project.id) & (StagePlan.stage == Stage.signing.value))
            .where(Project.stage == Stage.signing.value))).all()
        return [(p, start) for p, start in rows]

    async def responsibilities(self, project_ids: Sequence[uuid.UUID],
                               levels: Sequence[str]) -> Sequence[Responsibility]:
        """The projects' responsibilities at these levels, by level and name."""
        return (await self.session.scalars(select(Responsibility).where(Responsibility.project_id.in_(project_ids),
                                                                        Responsibility.level.in_(levels))
                                           .order_by(Responsibility.level, Responsibility.person_name))).all()
