"""Signing in: passwords (with lockout), refresh-token rotation, logout, and the
client-credentials grant for machine clients. The use cases receive the session
and never commit; the routes' session commits a ``KeptRefusal`` too, so a
counted failure or a revoked family survives the error it answers with."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.db.models import RECORDS, ApiClient, AppUser, RefreshToken
from gateway.db.repositories import (
    ClientRepository,
    LoginFailureRepository,
    RefreshTokenRepository,
    UserRepository,
)
from gateway.domain.context import GATEWAY_GUARD, Identity, normalize_username, valid_username
from gateway.domain.errors import (
    AccountLocked,
    InvalidClient,
    InvalidCredentials,
    InvalidScope,
    RefreshInvalid,
    RefreshReused,
)
from gateway.domain.memberships import project_ids_of
from gateway.domain.refresh import Verdict, judge, new_refresh_token, token_hash
from kernel.auth.principal import CLIENT_SCOPES, Role
from kernel.auth.tokens import access_claims
from kernel.db.session import utcnow
from kernel.requestid import current_client_ip


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: AppUser


@dataclass(frozen=True, slots=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def _seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


async def _access_token(session: AsyncSession, ident: Identity, user: AppUser) -> str:
    """The user's claims as they stand now: the projects set by an administrator and those
    of the task forces the user belongs to (``domain.memberships``), and a resident's household."""
    projects = await project_ids_of(session, user.username, user.project_ids)
    claims = access_claims(subject=f"user:{user.id}", kind="user", name=user.display_name, roles=user.roles,
                           region_code=user.region_code, project_ids=projects, household_id=user.household_id,
                           audience=ident.audience, ttl=ident.access_ttl)
    key = await ident.keys.signing_key(session)
    return key.sign(claims)


async def _issue(session: AsyncSession, ident: Identity, user: AppUser, family_id: uuid.UUID,
                 now: dt.datetime) -> IssuedTokens:
    refresh = new_refresh_token()
    repo = RefreshTokenRepository(session)
    await repo.purge_expired(user.id, now)
    await repo.add(RefreshToken(family_id=family_id, user_id=user.id, token_hash=token_hash(refresh),
                                issued_at=now, expires_at=now + ident.refresh_ttl))
    return IssuedTokens(access_token=await _access_token(session, ident, user),
                        expires_in=_seconds(ident.access_ttl), refresh_token=refresh,
                        refresh_expires_in=_seconds(ident.refresh_ttl), user=user)


async def login(session: AsyncSession, ident: Identity, username: str, password: str) -> IssuedTokens:
    """A new session for a user. Unknown user, wrong password, disabled account and
    no password set all answer ``InvalidCredentials`` after the same work; after
    ``lockout.failures`` failures in the window every attempt answers ``AccountLocked``
    (checked before the password, so a locked attempt reveals nothing either)."""
    now = utcnow()
    key = ident.username_key(username)
    failures = LoginFailureRepository(session)
    await failures.lock(key)
    retry_after = ident.lockout.retry_after(await failures.since(key, ident.lockout.counted_since(now)), now)
    if retry_after is not None:
        raise AccountLocked(retry_after)

    normalized = normalize_username(username)
    user = await UserRepository(session).by_username(normalized) if valid_username(normalized) else None
    hashed = user.password_hash if user is not None else None
    ok = await ident.passwords.verify(hashed, password)
    if not ok or user is None or not user.active:
        await failures.purge(ident.lockout.counted_since(now))
        await failures.add(key, now, current_client_ip())
        raise InvalidCredentials()
    if hashed is not None and ident.passwords.needs_rehash(hashed):
        user.password_hash = await ident.passwords.hash(password)  # parameters were raised since
    return await _issue(session, ident, user, uuid.uuid4(), now)


async def refresh(session: AsyncSession, ident: Identity, presented: str) -> IssuedTokens:
    """Rotate: the presented token is marked used and its successor issued in the same
    family. A used token presented again revokes the family (audited)."""
    now = utcnow()
    tokens = RefreshTokenRepository(session)
    row = await tokens.by_hash_for_update(token_hash(presented))
    verdict = judge(found=row is not None, used_at=row.used_at if row else None,
                    revoked_at=row.revoked_at if row else None, expires_at=row.expires_at if row else None,
                    now=now)
    if verdict is Verdict.reused:
        assert row is not None
        revoked = await tokens.revoke_family(row.family_id, "reuse", now)
        user = await UserRepository(session).get(row.user_id)
        await RECORDS.audit.record(session, actor=GATEWAY_GUARD, action="session.revoke_reused",
                                   entity_type="user", entity_id=row.user_id,
                                   region_code=user.region_code if user else None,
                                   after={"family_id": row.family_id, "tokens_revoked": revoked,
                                          "reason": "refresh token reused"})
        raise RefreshReused()
    if verdict is not Verdict.valid:
        raise RefreshInvalid()
    assert row is not None
    user = await UserRepository(session).get(row.user_id)
    if user is None or not user.active:
        await tokens.revoke_family(row.family_id, "user_disabled", now)
        raise RefreshInvalid()
    row.used_at = now
    return await _issue(session, ident, user, row.family_id, now)


async def logout(session: AsyncSession, presented: str) -> None:
    """End the session the token belongs to (its whole family). Unknown tokens are ignored."""
    tokens = RefreshTokenRepository(session)
    row = await tokens.by_hash_for_update(token_hash(presented))
    if row is not None:
        await tokens.revoke_family(row.family_id, "logout", utcnow())


async def client_token(session: AsyncSession, ident: Identity, client_id: str, secret: str,
                       requested: list[str] | None) -> ClientToken:
    """OAuth 2 client credentials: an access token for a machine client, with the
    scopes asked for (all the client holds when none are named)."""
    client: ApiClient | None = await ClientRepository(session).by_client_id(client_id)
    ok = await ident.passwords.verify(client.secret_hash if client else None, secret)
    if not ok or client is None or not client.active:
        raise InvalidClient()
    scopes = sorted(set(requested)) if requested else sorted(client.scopes)
    not_granted = [s for s in scopes if s not in client.scopes or s not in CLIENT_SCOPES]
    if not_granted or not scopes:
        raise InvalidScope(f"not granted: {' '.join(not_granted)}" if not_granted else "no scope")
    claims = access_claims(subject=f"client:{client.client_id}", kind="client", name=client.name,
                           roles=client.roles or [Role.integration.value], region_code=client.region_code,
                           scopes=scopes, audience=ident.audience, ttl=ident.access_ttl)
    key = await ident.keys.signing_key(session)
    return ClientToken(access_token=key.sign(claims), expires_in=_seconds(ident.access_ttl), scope=" ".join(scopes))
