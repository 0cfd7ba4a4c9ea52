"""Token-signing keys: the current Ed25519 key, the next one, the published set
(JWKS), rotation.

Keys live in the gateway's schema, the private half encrypted with the PII
cipher (context ``signing_key``), so every replica signs with the same key.
Each process keeps the current key in memory and rereads it every
``reload_s`` (another replica may have rotated) or right after it rotated
itself (and again once the rotation has committed). The JWKS is read from the database on every request: services fetch
it only when they meet an unknown ``kid``, and a replica must never publish
less than the one that signed.

A key is published before it signs: besides the current key there is always
a *next* one, already in the JWKS. Rotation retires the current key, makes
the next one current and makes a new next one. A service that has fetched the
JWKS since the previous rotation already knows the new key, so the first
token signed with it needs no refetch (services refetch at most every few
seconds). The retired key's private half is erased, and its public half stays
published while tokens it signed may still be valid (access-token TTL + a
grace period).
"""

from __future__ import annotations

import base64
import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.database import RECORDS
from gateway.keys.models import SigningKeyRecord
from gateway.keys.repository import SigningKeyRepository
from kernel.auth.principal import Principal
from kernel.auth.tokens import SigningKey
from kernel.db.session import utcnow
from kernel.pii.cipher import PiiCipher

CONTEXT = "signing_key"


def _seal(cipher: PiiCipher, key: SigningKey) -> str:
    return cipher.encrypt(base64.b64encode(key.private_bytes()).decode(), context=CONTEXT)


def _open(cipher: PiiCipher, record: SigningKeyRecord) -> SigningKey:
    if record.private_key_enc is None:
        raise RuntimeError(f"signing key {record.kid} has no private key")
    raw = base64.b64decode(cipher.decrypt(record.private_key_enc, context=CONTEXT))
    return SigningKey.from_private_bytes(record.kid, raw)


def _new_record(cipher: PiiCipher, now: dt.datetime, state: str) -> SigningKeyRecord:
    key = SigningKey.generate()
    return SigningKeyRecord(kid=key.kid, private_key_enc=_seal(cipher, key), public_jwk=key.public_jwk(),
                            state=state, created_at=now)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    kid: str
    state: str
    published: bool
    created_at: dt.datetime
    retired_at: dt.datetime | None


@dataclass
class KeyRing:
    cipher: PiiCipher
    access_ttl: dt.timedelta
    grace: dt.timedelta = dt.timedelta(minutes=5)
    reload_s: float = 30.0
    _current: SigningKey | None = field(default=None, init=False, repr=False)
    _loaded_at: float = field(default=0.0, init=False, repr=False)

    @property
    def published_for(self) -> dt.timedelta:
        """How long a retired key stays in the JWKS."""
        return self.access_ttl + self.grace

    def invalidate(self) -> None:
        """Reread the current key at the next use (after a rotation)."""
        self._current = None

    async def signing_key(self, session: AsyncSession) -> SigningKey:
        """The key to sign with now. When there is none yet, one is made in this
        transaction, and not kept in memory until it is read back committed."""
        if self._current is not None and time.monotonic() - self._loaded_at < self.reload_s:
            return self._current
        record = await SigningKeyRepository(session).current()
        if record is None:
            record = await ensure_current_key(session, self.cipher)
            return _open(self.cipher, record)
        self._current = _open(self.cipher, record)
        self._loaded_at = time.monotonic()
        return self._current

    async def jwks(self, session: AsyncSession, now: dt.datetime | None = None) -> dict[str, list[dict[str, Any]]]:
        """The current and the next key, and every retired key whose tokens may still be valid."""
        now = now or utcnow()
        records = await SigningKeyRepository(session).published(now - self.published_for)
        return {"keys": [dict(r.public_jwk) for r in records]}

    async def describe(self, session: AsyncSession, now: dt.datetime | None = None) -> list[KeyInfo]:
        now = now or utcnow()
        horizon = now - self.published_for
        return [
            KeyInfo(kid=r.kid, state=r.state, created_at=r.created_at, retired_at=r.retired_at,
                    published=r.state != "retired" or (r.retired_at is not None and r.retired_at > horizon))
            for r in await SigningKeyRepository(session).all()
        ]


async def ensure_current_key(session: AsyncSession, cipher: PiiCipher) -> SigningKeyRecord:
    """The current key (and the next one), made first if missing; replicas starting
    together make them once."""
    repo = SigningKeyRepository(session)
    await repo.lock()
    now = utcnow()
    record = await repo.current()
    if record is None:
        record = await repo.add(_new_record(cipher, now, "current"))
    if await repo.next() is None:
        await repo.add(_new_record(cipher, now, "next"))
    return record


async def rotate(session: AsyncSession, ring: KeyRing, actor: Principal) -> SigningKeyRecord:
    """Retire the current key (kept published), make the next one current and a new
    next one; audited. Returns the new current key."""
    repo = SigningKeyRepository(session)
    await repo.lock()
    now = utcnow()
    old, upcoming = await repo.current(), await repo.next()
    if old is not None:
        old.state = "retired"
        old.retired_at = now
        old.private_key_enc = None  # never signs again
        await repo.flush()
    if upcoming is not None:
        upcoming.state = "current"
        await repo.flush()
        new = upcoming
    else:
        new = await repo.add(_new_record(ring.cipher, now, "current"))
    following = await repo.add(_new_record(ring.cipher, now, "next"))
    await RECORDS.record_change(session, actor, action="key.rotate", entity_type="signing_key",
                                entity_id=new.kid, region_code=actor.region_code,
                                before={"current": old.kid if old else None, "next": new.kid},
                                after={"current": new.kid, "next": following.kid,
                                       "retired": old.kid if old else None})
    # Forget the cached key now, and again once the rotation has committed: a token signed in this
    # process between the two (another request, a consumer renewing its token) read the old key
    # from a snapshot that could not see the rotation yet, and would keep it for ``reload_s``.
    ring.invalidate()
    event.listen(session.sync_session, "after_commit", lambda _: ring.invalidate(), once=True)
    return new
