"""Queries of signing in: refresh tokens, failed logins, and the accounts that sign in
(a user by username or id, a machine client by its client id)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.models import ApiClient
from gateway.identity.models import AuthThrottle, LoginFailure, RefreshToken
from gateway.users.models import AppUser
from kernel.db.repository import Repository


class AccountRepository:
    """The accounts sign-in looks up (whatever their region: no caller yet)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def user_by_username(self, username: str) -> AppUser | None:
        return (await self.session.scalars(select(AppUser).where(AppUser.username == username))).first()

    async def user(self, ident: uuid.UUID) -> AppUser | None:
        return await self.session.get(AppUser, ident)

    async def client_by_client_id(self, client_id: str) -> ApiClient | None:
        return (await self.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id))).first()


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

    async def clock(self) -> dt.datetime:
        """The database's clock, read now (not the transaction's start): every replica
        records and counts failures by one clock, after waiting for the lock."""
        now: dt.datetime = (await self.session.execute(select(func.clock_timestamp()))).scalar_one()
        return now

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


class ThrottleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def clock(self) -> dt.datetime:
        now: dt.datetime = (await self.session.execute(select(func.clock_timestamp()))).scalar_one()
        return now

    async def reserve(self, address: str, window_start: dt.datetime) -> int:
        """Count one attempt of ``address`` in the window; the window's count with it (one
        statement: concurrent attempts get consecutive counts)."""
        stmt = (insert(AuthThrottle).values(address=address, window_start=window_start, attempts=1)
                .on_conflict_do_update(index_elements=["address", "window_start"],
                                       set_={"attempts": AuthThrottle.attempts + 1})
                .returning(AuthThrottle.attempts))
        counted: int = (await self.session.execute(stmt)).scalar_one()
        return counted

    async def give_back(self, address: str, window_start: dt.datetime) -> None:
        await self.session.execute(
            update(AuthThrottle).where(AuthThrottle.address == address, AuthThrottle.window_start == window_start)
            .values(attempts=AuthThrottle.attempts - 1))

    async def purge(self, before: dt.datetime) -> None:
        await self.session.execute(delete(AuthThrottle).where(AuthThrottle.window_start < before))
