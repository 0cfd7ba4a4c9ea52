"""Queries: consultations, their options, eligible households and ballots. Every query is limited
to the caller's scope through the consultation's project; a resident's queries are further
limited to the consultations where their own household is eligible."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, delete, exists, false, func, select

from kernel.auth.principal import DataScope
from kernel.db.repository import Repository
from kernel.pagination import PageRequest, PageResult
from services.projects.consultations.errors import ConsultationNotFound
from services.projects.consultations.models import (
    Ballot,
    BallotLog,
    Consultation,
    ConsultationOption,
    EligibleHousehold,
)
from services.projects.registry.models import Project
from services.projects.repository import ProjectScopedRepository


@dataclass(frozen=True, slots=True)
class ConsultationFilter:
    project_id: uuid.UUID | None = None
    kind: str | None = None
    status: str | None = None
    updated_since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Viewer:
    """Whose consultations: a scope, and for a resident their household (drafts never shown)."""

    scope: DataScope
    household_id: uuid.UUID | None = None
    resident: bool = False


class ConsultationRepository(ProjectScopedRepository[Consultation]):
    model = Consultation
    not_found = ConsultationNotFound
    project_key = Consultation.project_id

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(Consultation.id).where(Consultation.id == ident))) is not None

    def _visible(self, viewer: Viewer) -> Select[tuple[Consultation]]:
        stmt = self.scoped(viewer.scope)
        if viewer.resident:
            if viewer.household_id is None:
                return stmt.where(false())
            stmt = stmt.where(Consultation.status != "draft", exists().where(
                EligibleHousehold.consultation_id == Consultation.id,
                EligibleHousehold.household_id == viewer.household_id))
        return stmt

    async def require_visible(self, ident: uuid.UUID, viewer: Viewer, *, lock: str | None = None) -> Consultation:
        """The consultation if the viewer may see it, else ``ConsultationNotFound`` (as ``require``, for a
        viewer). ``lock``: "share" (a vote: the consultation must not close meanwhile) or "update" (close)."""
        stmt = self._visible(viewer).where(Consultation.id == ident)
        if lock == "share":
            stmt = stmt.with_for_update(read=True, of=Consultation)
        elif lock == "update":
            stmt = stmt.with_for_update(of=Consultation)
        found = (await self.session.scalars(stmt)).first()
        if found is None:
            raise self.not_found()
        return found

    async def region_of(self, consultation: Consultation) -> str:
        return str(await self.session.scalar(select(Project.region_code).where(Project.id == consultation.project_id)))

    async def page(self, f: ConsultationFilter, viewer: Viewer, page: PageRequest) -> PageResult[Consultation]:
        stmt = self._visible(viewer)
        if f.project_id is not None:
            stmt = stmt.where(Consultation.project_id == f.project_id)
        if f.kind is not None:
            stmt = stmt.where(Consultation.kind == f.kind)
        if f.status is not None:
            stmt = stmt.where(Consultation.status == f.status)
        if f.updated_since is not None:
            stmt = stmt.where(Consultation.updated_at > f.updated_since)
            return await self.paginate(stmt, [Consultation.updated_at, Consultation.id], page)
        return await self.paginate(stmt, [Consultation.created_at, Consultation.id], page)

    # --- options ----------------------------------------------------------------------------------

    async def options(self, consultation_id: uuid.UUID) -> Sequence[ConsultationOption]:
        stmt = (select(ConsultationOption).where(ConsultationOption.consultation_id == consultation_id)
                .order_by(ConsultationOption.position))
        return (await self.session.scalars(stmt)).all()

    async def options_of(self, consultation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[ConsultationOption]]:
        out: dict[uuid.UUID, list[ConsultationOption]] = {i: [] for i in consultation_ids}
        if consultation_ids:
            stmt = (select(ConsultationOption).where(ConsultationOption.consultation_id.in_(consultation_ids))
                    .order_by(ConsultationOption.consultation_id, ConsultationOption.position))
            for option in (await self.session.scalars(stmt)).all():
                out[option.consultation_id].append(option)
        return out

    async def replace_options(self, consultation: Consultation, options: Sequence[ConsultationOption]) -> None:
        await self.session.execute(delete(ConsultationOption)
                                   .where(ConsultationOption.consultation_id == consultation.id))
        self.session.add_all(options)
        await self.session.flush()

    # --- households -------------------------------------------------------------------------------

    async def eligible_count(self, consultation_id: uuid.UUID) -> int:
        stmt = select(func.count()).select_from(EligibleHousehold).where(
            EligibleHousehold.consultation_id == consultation_id)
        return int(await self.session.scalar(stmt) or 0)

    async def eligible_counts(self, consultation_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        if not consultation_ids:
            return {}
        stmt = (select(EligibleHousehold.consultation_id, func.count()).where(
            EligibleHousehold.consultation_id.in_(consultation_ids)).group_by(EligibleHousehold.consultation_id))
        counts = {i: 0 for i in consultation_ids}
        for cid, n in (await self.session.execute(stmt)).all():
            counts[cid] = int(n)
        return counts

    async def household(self, consultation_id: uuid.UUID, household_id: uuid.UUID) -> EligibleHousehold | None:
        return await self.session.get(EligibleHousehold, (consultation_id, household_id))

    async def households_among(self, consultation_id: uuid.UUID,
                               household_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, EligibleHousehold]:
        if not household_ids:
            return {}
        stmt = select(EligibleHousehold).where(EligibleHousehold.consultation_id == consultation_id,
                                               EligibleHousehold.household_id.in_(household_ids))
        return {h.household_id: h for h in (await self.session.scalars(stmt)).all()}

    async def household_page(self, consultation_id: uuid.UUID, page: PageRequest) -> PageResult[EligibleHousehold]:
        return await HouseholdRepository(self.session).page(consultation_id, page)

    # --- ballots ----------------------------------------------------------------------------------

    async def ballot(self, consultation_id: uuid.UUID, household_id: uuid.UUID) -> Ballot | None:
        stmt = select(Ballot).where(Ballot.consultation_id == consultation_id, Ballot.household_id == household_id)
        return (await self.session.scalars(stmt)).first()

    async def ballots_of(self, consultation_id: uuid.UUID,
                         household_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Ballot]:
        if not household_ids:
            return {}
        stmt = select(Ballot).where(Ballot.consultation_id == consultation_id,
                                    Ballot.household_id.in_(household_ids))
        return {b.household_id: b for b in (await self.session.scalars(stmt)).all()}

    async def all_choices(self, consultation_id: uuid.UUID) -> list[list[uuid.UUID]]:
        """Every current ballot's choices (one per household), for the tally."""
        stmt = select(Ballot.choices).where(Ballot.consultation_id == consultation_id)
        return [list(c) for c in (await self.session.scalars(stmt)).all()]

    async def ballot_log(self, consultation_id: uuid.UUID, household_id: uuid.UUID) -> Sequence[BallotLog]:
        stmt = (select(BallotLog).where(BallotLog.consultation_id == consultation_id,
                                        BallotLog.household_id == household_id)
                .order_by(BallotLog.cast_at, BallotLog.ballot_version))
        return (await self.session.scalars(stmt)).all()


class HouseholdRepository(Repository[EligibleHousehold]):
    model = EligibleHousehold

    async def page(self, consultation_id: uuid.UUID, page: PageRequest) -> PageResult[EligibleHousehold]:
        """By address (门牌), then id."""
        stmt = self.select().where(EligibleHousehold.consultation_id == consultation_id)
        return await self.paginate(stmt, [EligibleHousehold.address, EligibleHousehold.household_id], page)
