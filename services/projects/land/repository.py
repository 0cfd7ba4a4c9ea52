"""Queries: land parcels (地块) and their history. Every query is limited to the caller's scope
through the parcel's project."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from kernel.auth.principal import DataScope
from kernel.pagination import PageRequest, PageResult
from services.projects.land.errors import ParcelNotFound
from services.projects.land.models import Parcel, ParcelHistory
from services.projects.repository import ProjectScopedRepository


@dataclass(frozen=True, slots=True)
class ParcelFilter:
    project_id: uuid.UUID | None = None
    status: str | None = None
    planned_use: str | None = None
    region_prefix: str | None = None
    updated_since: dt.datetime | None = None


class ParcelRepository(ProjectScopedRepository[Parcel]):
    model = Parcel
    not_found = ParcelNotFound
    project_key = Parcel.project_id

    async def exists(self, ident: uuid.UUID) -> bool:
        """Whether the id is taken at all (any scope): for client-generated ids."""
        return (await self.session.scalar(select(Parcel.id).where(Parcel.id == ident))) is not None

    async def code_taken(self, code: str, *, other_than: uuid.UUID | None = None) -> bool:
        stmt = select(Parcel.id).where(Parcel.code == code)
        if other_than is not None:
            stmt = stmt.where(Parcel.id != other_than)
        return (await self.session.scalar(stmt)) is not None

    async def page(self, f: ParcelFilter, scope: DataScope, page: PageRequest) -> PageResult[Parcel]:
        stmt = self.scoped(scope)
        if f.project_id is not None:
            stmt = stmt.where(Parcel.project_id == f.project_id)
        if f.status is not None:
            stmt = stmt.where(Parcel.status == f.status)
        if f.planned_use is not None:
            stmt = stmt.where(Parcel.planned_use == f.planned_use)
        if f.region_prefix is not None:
            stmt = stmt.where(Parcel.region_code.startswith(f.region_prefix, autoescape=True))
        if f.updated_since is not None:
            stmt = stmt.where(Parcel.updated_at > f.updated_since)
            return await self.paginate(stmt, [Parcel.updated_at, Parcel.id], page)
        return await self.paginate(stmt, [Parcel.code], page)

    async def add_history(self, entry: ParcelHistory) -> None:
        self.session.add(entry)
        await self.session.flush()

    async def history(self, parcel_id: uuid.UUID) -> Sequence[ParcelHistory]:
        stmt = (select(ParcelHistory).where(ParcelHistory.parcel_id == parcel_id)
                .order_by(ParcelHistory.recorded_at, ParcelHistory.id))
        return (await self.session.scalars(stmt)).all()
