"""Queries of user accounts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, select

from gateway.users.errors import UserNotFound
from gateway.users.models import AppUser
from kernel.auth.principal import DataScope
from kernel.db.repository import ScopedRepository, scope_clause
from kernel.pagination import PageRequest, PageResult


@dataclass(frozen=True, slots=True)
class UserFilter:
    role: str | None = None
    region_prefix: str | None = None
    active: bool | None = None
    phone_index: str | None = None


class UserRepository(ScopedRepository[AppUser]):
    """User accounts, limited to the caller's region (a user outside it is not found)."""

    model = AppUser
    not_found = UserNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return scope_clause(scope, AppUser.region_code)

    async def exists(self, ident: uuid.UUID) -> bool:
        """Whether the id is taken at all (any scope): for client-generated ids."""
        return (await self.session.scalar(select(AppUser.id).where(AppUser.id == ident))) is not None

    async def by_username(self, username: str) -> AppUser | None:
        return (await self.session.scalars(select(AppUser).where(AppUser.username == username))).first()

    async def username_taken(self, username: str) -> bool:
        return (await self.session.scalar(select(AppUser.id).where(AppUser.username == username))) is not None

    async def household_holders(self, household_id: uuid.UUID, other_than: uuid.UUID) -> list[AppUser]:
        """The active accounts other than ``other_than`` bound to the household (as the session sees them)."""
        stmt = (select(AppUser).where(AppUser.household_id == household_id, AppUser.active.is_(True),
                                      AppUser.id != other_than).order_by(AppUser.id))
        return list((await self.session.scalars(stmt)).all())

    async def page(self, f: UserFilter, scope: DataScope, page: PageRequest) -> PageResult[AppUser]:
        stmt = self.scoped(scope)
        if f.role is not None:
            stmt = stmt.where(AppUser.roles.contains([f.role]))
        if f.region_prefix is not None:
            stmt = stmt.where(AppUser.region_code.startswith(f.region_prefix, autoescape=True))
        if f.active is not None:
            stmt = stmt.where(AppUser.active.is_(f.active))
        if f.phone_index is not None:
            stmt = stmt.where(AppUser.phone_index == f.phone_index)
        return await self.paginate(stmt, [AppUser.username], page)
