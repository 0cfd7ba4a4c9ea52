"""Refresh tokens (pure): opaque random strings, stored only as their SHA-256,
and the rotation rule that decides what a presented token means.

A login starts a family; each refresh marks the presented token used and adds
its successor to the family. A token that was already used is a replay: one
of the two holders is not the user, so the whole family is revoked and both
must sign in again. Each token lives ``refresh_token_ttl_days`` from its
issue (a session that keeps refreshing stays signed in; one idle that long ends).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

#: Refresh tokens carry this prefix, so a leaked one is recognisable (secret scanners).
PREFIX = "anjurt_"


class Verdict(enum.Enum):
    valid = "valid"
    unknown = "unknown"
    expired = "expired"
    revoked = "revoked"
    reused = "reused"


def new_refresh_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def judge(*, found: bool, used_at: dt.datetime | None, revoked_at: dt.datetime | None,
          expires_at: dt.datetime | None, now: dt.datetime) -> Verdict:
    """What presenting this token means. Order matters: a revoked family stays revoked
    (a replay of one of its tokens changes nothing), and a replay is a replay even
    after the token's own expiry would have refused it."""
    if not found:
        return Verdict.unknown
    if revoked_at is not None:
        return Verdict.revoked
    if used_at is not None:
        return Verdict.reused
    if expires_at is None or expires_at <= now:
        return Verdict.expired
    return Verdict.valid
