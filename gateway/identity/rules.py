"""The rules of signing in (pure: no I/O; times are passed in).

Usernames compare case-insensitively (NFKC, trimmed, lower-case).

The password policy: 8–128 characters, at least three of lower-case,
upper-case, digits and symbols, not a well-known password, not containing the
username. Client secrets are 256 random bits.

The lockout rule: a username is locked once ``failures`` failed logins fall
inside the last ``window``; it opens again when the oldest of those leaves the
window. Failed logins are counted by a keyed hash of the normalized username,
whether or not such a user exists, so a lockout says nothing about who has an
account. A successful login does not wipe earlier failures: they keep counting
until they leave the window. Clearing them would forgive an attacker's guesses
at an account every time its owner signs in (and would cost a write on every
login); the price is that a user who mistyped four times and then got in has
fewer tries left until those failures leave the window.

Refresh tokens are opaque random strings, stored only as their SHA-256. A
login starts a family; each refresh marks the presented token used and adds
its successor to the family. A token that was already used is a replay: one of
the two holders is not the user, so the whole family is revoked and both must
sign in again. Each token lives ``refresh_token_ttl_days`` from its issue (a
session that keeps refreshing stays signed in; one idle that long ends).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import math
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.identity.errors import WeakPassword
from kernel.errors import FieldError

# --- usernames ----------------------------------------------------------------------------------

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
_USERNAME = re.compile(USERNAME_PATTERN)


def normalize_username(value: str) -> str:
    """Usernames compare case-insensitively: NFKC, trimmed, lower-case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def valid_username(normalized: str) -> bool:
    return bool(_USERNAME.match(normalized))


# --- passwords and secrets ----------------------------------------------------------------------

MIN_LENGTH = 8
MAX_LENGTH = 128
#: A few passwords every guessing list starts with (compared case-insensitively).
COMMON = frozenset({
    "password", "password1", "password123", "passw0rd", "12345678", "123456789", "1234567890",
    "qwerty123", "qwertyuiop", "11111111", "88888888", "66666666", "abc12345", "abcd1234",
    "iloveyou", "admin123", "admin@123", "a1234567", "1qaz2wsx", "woaini1314", "p@ssw0rd",
})


def _classes(password: str) -> int:
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not c.isalnum() for c in password)
    return sum((lower, upper, digit, other))


def password_problems(password: str, username: str | None = None) -> list[str]:
    """What is wrong with a new password (Chinese messages); empty when it is acceptable.

    8–128 characters, at least three of: lower-case, upper-case, digits, symbols;
    not a well-known password; not containing the username."""
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"密码至少 {MIN_LENGTH} 位")
    if len(password) > MAX_LENGTH:
        problems.append(f"密码最多 {MAX_LENGTH} 位")
    if password != password.strip():
        problems.append("密码首尾不能有空格")
    if _classes(password) < 3:
        problems.append("密码须包含大写字母、小写字母、数字、符号中的至少三类")
    folded = unicodedata.normalize("NFKC", password).casefold()
    if folded in COMMON:
        problems.append("密码过于常见")
    if username and len(username) >= 3 and username.casefold() in folded:
        problems.append("密码不能包含用户名")
    return problems


def check_password(password: str, username: str | None = None, *, field_name: str = "body.password") -> None:
    problems = password_problems(password, username)
    if problems:
        raise WeakPassword("；".join(problems),
                           errors=[FieldError(field_name, "weak_password", p) for p in problems])


def new_secret() -> str:
    """A client secret: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


# --- lockout ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.failures < 1 or self.window <= dt.timedelta(0):
            raise ValueError("lockout needs at least one failure and a positive window")

    def counted_since(self, now: dt.datetime) -> dt.datetime:
        """Failures after this instant count."""
        return now - self.window

    def retry_after(self, failures: Sequence[dt.datetime], now: dt.datetime) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now.

        ``failures`` are the times of failed logins for one username, in any order."""
        recent = sorted(t for t in failures if now - self.window < t <= now)
        if len(recent) < self.failures:
            return None
        # The count drops below the limit when the (n - limit)-th failure leaves the window.
        opens_at = recent[len(recent) - self.failures] + self.window
        return max(1, math.ceil((opens_at - now).total_seconds()))


# --- throttling per client address ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """At most ``attempts`` unsuccessful sign-in attempts (login, client token, refresh) from
    one client address per fixed ``window``; the next one waits for the window's end.

    An attempt is counted before its credentials are checked (so concurrent ones count too)
    and given back when it succeeds: an office behind one address signing in all at once is
    not held back, while spraying one password over many accounts, guessing client secrets,
    or locking accounts one after another costs this address its window. The per-username
    lockout (``LockoutPolicy``) is the limit across addresses."""

    attempts: int = 20
    window: dt.timedelta = dt.timedelta(seconds=60)

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.window < dt.timedelta(seconds=1):
            raise ValueError("the throttle needs at least one attempt and a window of a second or more")

    def window_start(self, now: dt.datetime) -> dt.datetime:
        """The start of the fixed window ``now`` falls in (windows are aligned to the epoch)."""
        size = int(self.window.total_seconds())
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return epoch + dt.timedelta(seconds=int((now - epoch).total_seconds()) // size * size)

    def retry_after(self, counted: int, window_start: dt.datetime, now: dt.datetime) -> int | None:
        """Seconds to wait when this attempt is the ``counted``-th of its window; None when allowed."""
        if counted <= self.attempts:
            return None
        return max(1, math.ceil((window_start + self.window - now).total_seconds()))


# --- refresh tokens -----------------------------------------------------------------------------

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
