"""Passwords and client secrets: the policy (pure) and Argon2id hashing.

Hashing is slow on purpose (tens of milliseconds and 64 MiB each), so it runs
in worker threads, at most ``concurrency`` at once: the event loop keeps
serving, and a burst of logins cannot exhaust the memory. A login for an
unknown username verifies against a dummy hash made with the same parameters,
so it takes as long as one for a real user.
"""

from __future__ import annotations

import asyncio
import secrets
import unicodedata
from dataclasses import dataclass, field

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.domain.errors import WeakPassword
from kernel.errors import FieldError

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


@dataclass
class Passwords:
    """Argon2id hashing off the event loop, with a bounded number running at once."""

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
