"""Signing in, and what every slice's use cases need for it.

``Identity``: the PII cipher and the user phone it seals, password hashing (``Passwords``),
the lockout and token policies and the signing keys; one per process, made from the
settings. The use cases: login (with lockout), refresh-token rotation, logout, the
client-credentials grant for machine clients, ending a user's sessions; and ``FeedToken``,
the token the gateway signs for its own consumer of the projects feed. The use cases
receive the session and never commit; the routes' session commits a ``KeptRefusal`` too,
so a counted failure or a revoked family survives the error it answers with.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
import uuid
from dataclasses import dataclass, field

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.clients.models import ApiClient
from gateway.database import RECORDS
from gateway.identity.errors import (
    AccountLocked,
    InvalidClient,
    InvalidCredentials,
    InvalidScope,
    RefreshInvalid,
    RefreshReused,
    Throttled,
)
from gateway.identity.models import RefreshToken
from gateway.identity.repository import (
    AccountRepository,
    LoginFailureRepository,
    RefreshTokenRepository,
    ThrottleRepository,
)
from gateway.identity.rules import (
    LockoutPolicy,
    ThrottlePolicy,
    Verdict,
    judge,
    new_refresh_token,
    normalize_username,
    token_hash,
    valid_username,
)
from gateway.keys.service import KeyRing
from gateway.memberships.service import project_ids_of
from gateway.settings import GatewaySettings
from gateway.users.models import AppUser
from kernel.auth.permissions import CLIENT_SCOPES
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.auth.tokens import access_claims
from kernel.db.session import Database, utcnow
from kernel.pii.cipher import PiiCipher
from kernel.pii.sealed import PHONE, SealedField
from kernel.requestid import current_client_ip

#: Bound into every sealed user phone: a value copied to another column does not decrypt.
PHONE_CONTEXT = "app_user.phone"

#: The actor of what the gateway does by itself (revoking a replayed session).
GATEWAY_GUARD = Principal(subject="system:gateway", kind="system", name="网关安全机制", roles=frozenset(),
                          region_code=None)


@dataclass
class Passwords:
    """Argon2id hashing off the event loop, with a bounded number running at once.

    Hashing is slow on purpose (tens of milliseconds and 64 MiB each), so it runs in worker
    threads, at most ``concurrency`` at once: the event loop keeps serving, and a burst of
    logins cannot exhaust the memory. A login for an unknown username verifies against a
    dummy hash made with the same parameters, so it takes as long as one for a real user."""

    time_cost: int = 3
    memory_kib: int = 64 * 1024
    parallelism: int = 4
    concurrency: int = 4
    _hasher: PasswordHasher = field(init=False, repr=False)
    _dummy: str | None = field(default=None, init=False, repr=False)
    _gate: asyncio.Semaphore = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._hasher = PasswordHasher(time_cost=self.time_cost, memory_cost=self.memory_kib,
                                      parallelism=self.parallelism, type=Type.ID)
        self._gate = asyncio.Semaphore(self.concurrency)

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(password)

    def _verify_sync(self, hashed: str, password: str) -> bool:
        try:
            return self._hasher.verify(hashed, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def warm_up(self) -> None:
        """Make the dummy hash now (at start-up), not during the first unknown-user login."""
        if self._dummy is None:
            self._dummy = await asyncio.to_thread(self._hasher.hash, secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        async with self._gate:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, hashed: str | None, password: str) -> bool:
        """Whether ``password`` matches ``hashed``. With no hash (unknown user, no password
        set) a dummy hash is checked instead, so the answer takes as long, and is False."""
        async with self._gate:
            if hashed is None:
                if self._dummy is None:
                    self._dummy = await asyncio.to_thread(self._hasher.hash, secrets.token_urlsafe(16))
                await asyncio.to_thread(self._verify_sync, self._dummy, password)
                return False
            return await asyncio.to_thread(self._verify_sync, hashed, password)

    def needs_rehash(self, hashed: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(hashed)
        except InvalidHashError:
            return True


@dataclass
class Identity:
    """What the use cases of every slice need besides a session: the PII cipher and the user
    phone it seals, password hashing, the lockout and token policies and the signing keys.
    One per process, made from the settings."""

    cipher: PiiCipher
    passwords: Passwords
    lockout: LockoutPolicy
    keys: KeyRing
    access_ttl: dt.timedelta
    refresh_ttl: dt.timedelta
    audience: tuple[str, ...]
    throttle: ThrottlePolicy = field(default_factory=ThrottlePolicy)
    #: A user's phone (``AppUser.phone_enc`` / ``phone_index``), sealed with ``cipher``.
    phone: SealedField = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.phone = SealedField(PHONE, PHONE_CONTEXT, self.cipher)

    @classmethod
    def from_settings(cls, s: GatewaySettings) -> Identity:
        cipher = PiiCipher.from_settings(s.pii_keyring, s.pii_active_key, s.pii_index_key)
        access_ttl = dt.timedelta(minutes=s.access_token_ttl_minutes)
        return cls(
            cipher=cipher,
            passwords=Passwords(time_cost=s.password_time_cost, memory_kib=s.password_memory_kib,
                                parallelism=s.password_parallelism, concurrency=s.password_hash_concurrency),
            lockout=LockoutPolicy(s.lockout_failures, dt.timedelta(minutes=s.lockout_window_minutes)),
            keys=KeyRing(cipher, access_ttl, dt.timedelta(minutes=s.jwks_grace_minutes), s.keys_reload_s),
            access_ttl=access_ttl,
            refresh_ttl=dt.timedelta(days=s.refresh_token_ttl_days),
            audience=tuple(s.token_audience),
            throttle=ThrottlePolicy(s.auth_throttle_attempts, dt.timedelta(seconds=s.auth_throttle_window_s)),
        )

    def username_key(self, username: str) -> str:
        """The keyed hash failed logins are counted by (never the name itself)."""
        return self.cipher.blind_index(normalize_username(username), kind="username")


@dataclass(frozen=True, slots=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    user: AppUser
    #: The projects the access token carries (administrator-set and task-force ones).
    project_ids: list[uuid.UUID]


@dataclass(frozen=True, slots=True)
class ClientToken:
    access_token: str
    expires_in: int
    scope: str


def _seconds(delta: dt.timedelta) -> int:
    return int(delta.total_seconds())


async def _access_token(session: AsyncSession, ident: Identity, user: AppUser) -> tuple[str, list[uuid.UUID]]:
    """The user's claims as they stand now, and the projects they carry: those set by an
    administrator that the project directory places inside the user's region, and those of the
    task forces the user belongs to (the ``memberships`` slice); and a resident's household."""
    projects = await project_ids_of(session, user.username, user.project_ids, user.region_code)
    claims = access_claims(subject=f"user:{user.id}", kind="user", name=user.display_name, roles=user.roles,
                           region_code=user.region_code, project_ids=projects, household_id=user.household_id,
                           audience=ident.audience, ttl=ident.access_ttl)
    key = await ident.keys.signing_key(session)
    return key.sign(claims), projects


async def _issue(session: AsyncSession, ident: Identity, user: AppUser, family_id: uuid.UUID,
                 now: dt.datetime) -> IssuedTokens:
    refresh = new_refresh_token()
    repo = RefreshTokenRepository(session)
    await repo.purge_expired(user.id, now)
    await repo.add(RefreshToken(family_id=family_id, user_id=user.id, token_hash=token_hash(refresh),
                                issued_at=now, expires_at=now + ident.refresh_ttl))
    access, projects = await _access_token(session, ident, user)
    return IssuedTokens(access_token=access, expires_in=_seconds(ident.access_ttl), refresh_token=refresh,
                        refresh_expires_in=_seconds(ident.refresh_ttl), user=user, project_ids=projects)


@dataclass(frozen=True, slots=True)
class Attempt:
    """A sign-in attempt counted against its client address (``ThrottlePolicy``)."""

    address: str
    window_start: dt.datetime


async def _count_attempt(session: AsyncSession, ident: Identity) -> Attempt:
    """Count this attempt against the caller's address before any credential is checked;
    ``Throttled`` when the address is over its limit for the window."""
    throttles = ThrottleRepository(session)
    now = await throttles.clock()
    attempt = Attempt(current_client_ip() or "unknown", ident.throttle.window_start(now))
    counted = await throttles.reserve(attempt.address, attempt.window_start)
    if counted == 1:  # the address's first attempt of a window: past windows are done with
        await throttles.purge(attempt.window_start - ident.throttle.window)
    retry_after = ident.throttle.retry_after(counted, attempt.window_start, now)
    if retry_after is not None:
        raise Throttled(retry_after)
    return attempt


async def _succeeded(session: AsyncSession, attempt: Attempt) -> None:
    """A successful attempt does not count against its address."""
    await ThrottleRepository(session).give_back(attempt.address, attempt.window_start)


async def login(session: AsyncSession, ident: Identity, username: str, password: str) -> IssuedTokens:
    """A new session for a user. Unknown user, wrong password, disabled account and
    no password set all answer ``InvalidCredentials`` after the same work; after
    ``lockout.failures`` failures in the window every attempt answers ``AccountLocked``
    (checked before the password, so a locked attempt reveals nothing either).

    The failures are counted after waiting for the username's lock and by the database's
    clock: every attempt counts every failure committed before it, whichever replica
    recorded it. Each attempt also counts against the client address (``_count_attempt``)."""
    attempt = await _count_attempt(session, ident)
    key = ident.username_key(username)
    failures = LoginFailureRepository(session)
    await failures.lock(key)
    now = await failures.clock()
    retry_after = ident.lockout.retry_after(await failures.since(key, ident.lockout.counted_since(now)), now)
    if retry_after is not None:
        raise AccountLocked(retry_after)

    normalized = normalize_username(username)
    user = await AccountRepository(session).user_by_username(normalized) if valid_username(normalized) else None
    hashed = user.password_hash if user is not None else None
    ok = await ident.passwords.verify(hashed, password)
    if not ok or user is None or not user.active:
        await failures.purge(ident.lockout.counted_since(now))
        await failures.add(key, now, current_client_ip())
        raise InvalidCredentials()
    if hashed is not None and ident.passwords.needs_rehash(hashed):
        user.password_hash = await ident.passwords.hash(password)  # parameters were raised since
    await _succeeded(session, attempt)
    return await _issue(session, ident, user, uuid.uuid4(), now)


async def refresh(session: AsyncSession, ident: Identity, presented: str) -> IssuedTokens:
    """Rotate: the presented token is marked used and its successor issued in the same
    family. A used token presented again revokes the family (audited). Counted against the
    client address like a login."""
    attempt = await _count_attempt(session, ident)
    now = utcnow()
    tokens = RefreshTokenRepository(session)
    row = await tokens.by_hash_for_update(token_hash(presented))
    verdict = judge(found=row is not None, used_at=row.used_at if row else None,
                    revoked_at=row.revoked_at if row else None, expires_at=row.expires_at if row else None,
                    now=now)
    if verdict is Verdict.reused:
        assert row is not None
        revoked = await tokens.revoke_family(row.family_id, "reuse", now)
        user = await AccountRepository(session).user(row.user_id)
        await RECORDS.record_change(session, GATEWAY_GUARD, action="session.revoke_reused", entity_type="user",
                                    entity_id=row.user_id, region_code=user.region_code if user else None,
                                    after={"family_id": row.family_id, "tokens_revoked": revoked,
                                           "reason": "refresh token reused"})
        raise RefreshReused()
    if verdict is not Verdict.valid:
        raise RefreshInvalid()
    assert row is not None
    user = await AccountRepository(session).user(row.user_id)
    if user is None or not user.active:
        await tokens.revoke_family(row.family_id, "user_disabled", now)
        raise RefreshInvalid()
    row.used_at = now
    await _succeeded(session, attempt)
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
    scopes asked for (all the client holds when none are named). Counted against the client
    address like a login; client ids have no lockout of their own: secrets are 256 random bits,
    so guessing one is hopeless, and locking a client id would let anyone stop the services'
    event consumers."""
    attempt = await _count_attempt(session, ident)
    client: ApiClient | None = await AccountRepository(session).client_by_client_id(client_id)
    ok = await ident.passwords.verify(client.secret_hash if client else None, secret)
    if not ok or client is None or not client.active:
        raise InvalidClient()
    scopes = sorted(set(requested)) if requested else sorted(client.scopes)
    not_granted = [s for s in scopes if s not in client.scopes or s not in CLIENT_SCOPES]
    if not_granted or not scopes:
        raise InvalidScope(f"not granted: {' '.join(not_granted)}" if not_granted else "no scope")
    await _succeeded(session, attempt)
    claims = access_claims(subject=f"client:{client.client_id}", kind="client", name=client.name,
                           roles=client.roles or [Role.integration.value], region_code=client.region_code,
                           scopes=scopes, audience=ident.audience, ttl=ident.access_ttl)
    key = await ident.keys.signing_key(session)
    return ClientToken(access_token=key.sign(claims), expires_in=_seconds(ident.access_ttl), scope=" ".join(scopes))


async def end_sessions(session: AsyncSession, user_id: uuid.UUID, reason: str, now: dt.datetime) -> int:
    """Revoke every refresh token of a user (disabled, or their password set); how many."""
    return await RefreshTokenRepository(session).revoke_user(user_id, reason, now)


class FeedToken:
    """The gateway's own token for reading the projects feed. The gateway is the issuer,
    so it signs one for itself (client ``gateway``, scope ``events:read``) instead of
    asking its own token endpoint; renewed a minute before it expires."""

    def __init__(self, db: Database, ident: Identity, audience: tuple[str, ...] = ("projects",)) -> None:
        self.db, self.ident, self.audience = db, ident, audience
        self._token: str | None = None
        self._expires = 0.0

    async def __call__(self) -> str:
        if self._token is None or time.monotonic() > self._expires - 60:
            async with self.db.sessionmaker() as session, session.begin():
                key = await self.ident.keys.signing_key(session)
            claims = access_claims(subject="client:gateway", kind="client", name="网关（专班成员同步）",
                                   roles=[Role.integration.value], region_code=None, scopes=["events:read"],
                                   audience=self.audience, ttl=self.ident.access_ttl)
            self._token = key.sign(claims)
            self._expires = time.monotonic() + self.ident.access_ttl.total_seconds()
        return self._token
