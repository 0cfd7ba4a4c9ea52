"""Queries of the command structure. Every read is filtered by the caller's scope in the
query (row-level security is the second line): units and people by their region (a task
force also by its project), positions by their unit, responsibilities and memberships
by their project."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, func, or_, select, update

from kernel.auth.principal import DataScope
from kernel.db.repository import ScopedRepository, scope_clause
from kernel.pagination import PageRequest, PageResult
from services.projects.command.errors import (
    MemberNotFound,
    PersonNotFound,
    PositionNotFound,
    ResponsibilityNotFound,
    UnitNotFound,
)
from services.projects.command.models import CommandUnit, Person, Position, Responsibility, TaskForceMember
from services.projects.registry.models import Project
from services.projects.repository import ProjectScopedRepository


def unit_scope(scope: DataScope) -> ColumnElement[bool]:
    return scope_clause(scope, CommandUnit.region_code, CommandUnit.project_id)


@dataclass(frozen=True, slots=True)
class UnitFilter:
    kind: str | None = None
    region_prefix: str | None = None
    parent_id: uuid.UUID | None = None
    active: bool | None = None
    updated_since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PersonFilter:
    region_prefix: str | None = None
    name: str | None = None
    phone_index: str | None = None
    gateway_username: str | None = None
    updated_since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PositionFilter:
    unit_id: uuid.UUID | None = None
    person_id: uuid.UUID | None = None
    current_on: dt.date | None = None  # only positions held on this day


class UnitRepository(ScopedRepository[CommandUnit]):
    model = CommandUnit
    not_found = UnitNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return unit_scope(scope)

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(CommandUnit.id).where(CommandUnit.id == ident))) is not None

    async def task_force_of(self, project_id: uuid.UUID) -> CommandUnit | None:
        stmt = select(CommandUnit).where(CommandUnit.project_id == project_id)
        return (await self.session.scalars(stmt)).first()

    async def page(self, f: UnitFilter, scope: DataScope, page: PageRequest) -> PageResult[CommandUnit]:
        stmt = self.scoped(scope)
        if f.kind is not None:
            stmt = stmt.where(CommandUnit.kind == f.kind)
        if f.region_prefix is not None:
            stmt = stmt.where(CommandUnit.region_code.startswith(f.region_prefix, autoescape=True))
        if f.parent_id is not None:
            stmt = stmt.where(CommandUnit.parent_id == f.parent_id)
        if f.active is not None:
            stmt = stmt.where(CommandUnit.active.is_(f.active))
        if f.updated_since is not None:
            stmt = stmt.where(CommandUnit.updated_at > f.updated_since)
            return await self.paginate(stmt, [CommandUnit.updated_at, CommandUnit.id], page)
        return await self.paginate(stmt, [CommandUnit.region_code, CommandUnit.id], page)

    async def by_name(self, kind: str, name: str, region_code: str) -> CommandUnit | None:
        stmt = select(CommandUnit).where(CommandUnit.kind == kind, CommandUnit.name == name,
                                         CommandUnit.region_code == region_code)
        return (await self.session.scalars(stmt)).first()


class PersonRepository(ScopedRepository[Person]):
    model = Person
    not_found = PersonNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return scope_clause(scope, Person.region_code)

    async def exists(self, ident: uuid.UUID) -> bool:
        return (await self.session.scalar(select(Person.id).where(Person.id == ident))) is not None

    async def username_taken(self, username: str, other_than: uuid.UUID | None = None) -> bool:
        stmt = select(Person.id).where(Person.gateway_username == username)
        if other_than is not None:
            stmt = stmt.where(Person.id != other_than)
        return (await self.session.scalar(stmt)) is not None

    async def by_name(self, name: str, region_code: str) -> Person | None:
        stmt = select(Person).where(Person.name == name, Person.region_code == region_code)
        return (await self.session.scalars(stmt)).first()

    async def page(self, f: PersonFilter, scope: DataScope, page: PageRequest) -> PageResult[Person]:
        stmt = self.scoped(scope)
        if f.region_prefix is not None:
            stmt = stmt.where(Person.region_code.startswith(f.region_prefix, autoescape=True))
        if f.name is not None:
            stmt = stmt.where(Person.name.contains(f.name, autoescape=True))
        if f.phone_index is not None:
            stmt = stmt.where(Person.phone_index == f.phone_index)
        if f.gateway_username is not None:
            stmt = stmt.where(Person.gateway_username == f.gateway_username)
        if f.updated_since is not None:
            stmt = stmt.where(Person.updated_at > f.updated_since)
            return await self.paginate(stmt, [Person.updated_at, Person.id], page)
        return await self.paginate(stmt, [Person.region_code, Person.id], page)

    async def rename_in_projects(self, person_id: uuid.UUID, name: str) -> None:
        """Copy a new name into the project rows that name the person (those the caller may write)."""
        for model in (Responsibility, TaskForceMember):
            await self.session.execute(update(model).where(model.person_id == person_id).values(person_name=name))


class PositionRepository(ScopedRepository[Position]):
    """Positions, in the caller's scope when their unit is (the look-ups join the unit)."""

    model = Position
    not_found = PositionNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return unit_scope(scope)

    def scoped(self, scope: DataScope) -> Select[tuple[Position]]:
        return select(Position).join(CommandUnit, CommandUnit.id == Position.unit_id).where(self.in_scope(scope))

    async def page(self, f: PositionFilter, scope: DataScope, page: PageRequest) -> PageResult[Position]:
        stmt = self.scoped(scope)
        if f.unit_id is not None:
            stmt = stmt.where(Position.unit_id == f.unit_id)
        if f.person_id is not None:
            stmt = stmt.where(Position.person_id == f.person_id)
        if f.current_on is not None:
            stmt = stmt.where(or_(Position.started_on.is_(None), Position.started_on <= f.current_on),
                              or_(Position.ended_on.is_(None), Position.ended_on > f.current_on))
        return await self.paginate(stmt, [Position.created_at, Position.id], page)


class ResponsibilityRepository(ProjectScopedRepository[Responsibility]):
    model = Responsibility
    not_found = ResponsibilityNotFound
    project_key = Responsibility.project_id

    async def of_project(self, project_id: uuid.UUID) -> list[Responsibility]:
        stmt = (select(Responsibility).where(Responsibility.project_id == project_id)
                .order_by(Responsibility.level, Responsibility.created_at, Responsibility.id))
        return list((await self.session.scalars(stmt)).all())

    async def level_holder(self, project_id: uuid.UUID, level: str) -> Responsibility | None:
        stmt = select(Responsibility).where(Responsibility.project_id == project_id, Responsibility.level == level)
        return (await self.session.scalars(stmt)).first()

    async def staff_of(self, project_id: uuid.UUID, person_id: uuid.UUID) -> Responsibility | None:
        stmt = select(Responsibility).where(Responsibility.project_id == project_id, Responsibility.level == "staff",
                                            Responsibility.person_id == person_id)
        return (await self.session.scalars(stmt)).first()

    async def lock_project(self, project_id: uuid.UUID) -> None:
        """Serialize share changes of one project (the sums and the one-cadre-per-household rule)."""
        await self.session.execute(select(Project.id).where(Project.id == project_id).with_for_update())

    async def other_shares(self, project_id: uuid.UUID, except_id: uuid.UUID | None) -> tuple[int, set[uuid.UUID]]:
        """Households counted by the other staff of the project, and the households they list."""
        stmt = select(func.coalesce(func.sum(Responsibility.household_count), 0)).where(
            Responsibility.project_id == project_id, Responsibility.level == "staff")
        ids_stmt = select(func.unnest(Responsibility.household_ids)).where(
            Responsibility.project_id == project_id, Responsibility.level == "staff")
        if except_id is not None:
            stmt = stmt.where(Responsibility.id != except_id)
            ids_stmt = ids_stmt.where(Responsibility.id != except_id)
        total = int(await self.session.scalar(stmt) or 0)
        ids = set((await self.session.scalars(ids_stmt)).all())
        return total, ids

    async def of_person(self, person_id: uuid.UUID) -> list[Responsibility]:
        stmt = select(Responsibility).where(Responsibility.person_id == person_id)
        return list((await self.session.scalars(stmt)).all())


class MemberRepository(ProjectScopedRepository[TaskForceMember]):
    model = TaskForceMember
    not_found = MemberNotFound
    project_key = TaskForceMember.project_id

    async def current(self, unit_id: uuid.UUID, person_id: uuid.UUID) -> TaskForceMember | None:
        stmt = select(TaskForceMember).where(TaskForceMember.unit_id == unit_id, TaskForceMember.person_id == person_id,
                                             TaskForceMember.left_on.is_(None))
        return (await self.session.scalars(stmt)).first()

    async def current_of_person(self, person_id: uuid.UUID) -> list[TaskForceMember]:
        stmt = select(TaskForceMember).where(TaskForceMember.person_id == person_id, TaskForceMember.left_on.is_(None))
        return list((await self.session.scalars(stmt)).all())

    async def page(self, unit_id: uuid.UUID, current: bool | None, page: PageRequest) -> PageResult[TaskForceMember]:
        stmt = self.select().where(TaskForceMember.unit_id == unit_id)
        if current is not None:
            stmt = stmt.where(TaskForceMember.left_on.is_(None) if current else TaskForceMember.left_on.is_not(None))
        return await self.paginate(stmt, [TaskForceMember.created_at, TaskForceMember.id], page)
