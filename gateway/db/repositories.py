"""Queries of the gateway."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import ApiClient, AppUser, LoginFailure, RefreshToken, SigningKeyRecord, TaskForceMembership
from kernel.auth.principal import DataScope
from kernel.db.repository import Repository, scope_clause
from kernel.db.upsert import upsert_newest
from kernel.pagination import PageRequest, PageResult


@dataclass(frozen=True, slots=True)
class UserFilter:
    role: str | None = None
    region_prefix: str | None = None
    active: bool | None = None
    phone_index: str | None = None


class UserRepository(Repository[AppUser]):
    model = AppUser

    async def exists(self, ident: uuid.UUID) -> bool:
        """Whether the id is taken at all (any scope): for client-generated ids."""
        return (await self.session.scalar(select(AppUser.id).where(AppUser.id == ident))) is not None

    async def by_username(self, username: str) -> AppUser | None:
        return (await self.session.scalars(select(AppUser).where(AppUser.username == username))).first()

    async def username_taken(self, username: str) -> bool:
        return (await self.session.scalar(select(AppUser.id).where(AppUser.username == username))) is not None

    async def get_in_scope(self, ident: uuid.UUID, scope: DataScope) -> AppUser | None:
        stmt = select(AppUser).where(AppUser.id == ident, scope_clause(scope, AppUser.region_code))
        return (await self.session.scalars(stmt)).first()

    async def page(self, f: UserFilter, scope: DataScope, page: PageRequest) -> PageResult[AppUser]:
        stmt = self.select().where(scope_clause(scope, AppUser.region_code))
        if f.role is not None:
            stmt = stmt.where(AppUser.roles.contains([f.role]))
        if f.region_prefix is not None:
            stmt = stmt.where(AppUser.region_code.startswith(f.region_prefix, autoescape=True))
        if f.active is not None:
            stmt = stmt.where(AppUser.active.is_(f.active))
        if f.phone_index is not None:
            stmt = stmt.where(AppUser.phone_index == f.phone_index)
        return await self.paginate(stmt, [AppUser.username], page)


class ClientRepository(Repository[ApiClient]):
    model = ApiClient

    async def by_client_id(self, client_id: str) -> ApiClient | None:
        return (await self.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id))).first()

    async def page(self, scope: DataScope, page: PageRequest) -> PageResult[ApiClient]:
        """Clients inside the caller's scope, and those bound to no region."""
        stmt = self.select().where(or_(ApiClient.region_code.is_(None), scope_clause(scope, ApiClient.region_code)))
        return await self.paginate(stmt, [ApiClient.client_id], page)


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash_for_update(self, token_hash: str) -> RefreshToken | None:
        """The token, locked: two refreshes with one token are decided one after the other."""
        stmt = select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def revoke_family(self, family_id: uuid.UUID, reason: str, now: dt.datetime) -> int:
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason))
        return int(getattr(result, "rowcount", 0) or 0)

    async def revoke_user(self, user_id: uuid.UUID, reason: str, now: dt.datetime) -> int:
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason))
        return int(getattr(result, "rowcount", 0) or 0)

    async def purge_expired(self, user_id: uuid.UUID, before: dt.datetime) -> None:
        await self.session.execute(
            delete(RefreshToken).where(RefreshToken.user_id == user_id, RefreshToken.expires_at < before))


class LoginFailureRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def lock(self, username_key: str) -> None:
        """Serialize logins for one username (transaction-scoped), so the count is exact."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('gateway.login'), hashtext(:k))"),
                                   {"k": username_key})

    async def since(self, username_key: str, since: dt.datetime) -> list[dt.datetime]:
        stmt = (select(LoginFailure.occurred_at)
                .where(LoginFailure.username_key == username_key, LoginFailure.occurred_at > since)
                .order_by(LoginFailure.occurred_at))
        return list((await self.session.scalars(stmt)).all())

    async def add(self, username_key: str, at: dt.datetime, client_ip: str | None) -> None:
        self.session.add(LoginFailure(username_key=username_key, occurred_at=at, client_ip=client_ip))
        await self.session.flush()

    async def purge(self, before: dt.datetime) -> None:
        await self.session.execute(delete(LoginFailure).where(LoginFailure.occurred_at <= before))


class SigningKeyRepository(Repository[SigningKeyRecord]):
    model = SigningKeyRecord

    async def lock(self) -> None:
        """Serialize key creation and rotation across replicas (transaction-scoped)."""
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('gateway.signing_key'))"))

    async def current(self) -> SigningKeyRecord | None:
        stmt = select(SigningKeyRecord).where(SigningKeyRecord.state == "current")
        return (await self.session.scalars(stmt)).first()

    async def next(self) -> SigningKeyRecord | None:
        stmt = select(SigningKeyRecord).where(SigningKeyRecord.state == "next")
        return (await self.session.scalars(stmt)).first()

    async def published(self, retired_after: dt.datetime) -> list[SigningKeyRecord]:
        """The current and the next key, and the keys retired after ``retired_after``."""
        stmt = (select(SigningKeyRecord)
                .where(or_(SigningKeyRecord.state != "retired", SigningKeyRecord.retired_at > retired_after))
                .order_by(SigningKeyRecord.created_at.desc(), SigningKeyRecord.kid))
        return list((await self.session.scalars(stmt)).all())

    async def all(self, limit: int = 200) -> list[SigningKeyRecord]:
        stmt = select(SigningKeyRecord).order_by(SigningKeyRecord.created_at.desc(), SigningKeyRecord.kid).limit(limit)
        return list((await self.session.scalars(stmt)).all())


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert(self, rows: list[tuple[uuid.UUID, str | None, uuid.UUID, bool, int]]) -> None:
        """(member id, username, project, current, version); an older version than the one held is ignored."""
        await upsert_newest(self.session, TaskForceMembership, [
            {"member_id": m, "username": u, "project_id": p, "current": c, "version": v} for m, u, p, c, v in rows],
            key="member_id", touched="updated_at")

    async def current_projects(self, username: str) -> list[uuid.UUID]:
        stmt = select(TaskForceMembership.project_id).where(TaskForceMembership.username == username,
                                                           TaskForceMembership.current.is_(True))
        return list((await self.session.scalars(stmt)).all())
