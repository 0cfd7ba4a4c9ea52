"""What the identity use cases need besides a session: the PII cipher, password
hashing, the lockout and token policies and the signing keys. One per process,
made from the settings."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from gateway.domain.keys import KeyRing
from gateway.domain.lockout import LockoutPolicy
from gateway.domain.passwords import Passwords
from gateway.settings import GatewaySettings
from kernel.auth.principal import Principal
from kernel.pii.cipher import PiiCipher, mask_phone

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
_USERNAME = re.compile(USERNAME_PATTERN)
PHONE_CONTEXT = "app_user.phone"

#: The actor of what the gateway does by itself (revoking a replayed session).
GATEWAY_GUARD = Principal(subject="system:gateway", kind="system", name="网关安全机制", roles=frozenset(),
                          region_code=None)


def normalize_username(value: str) -> str:
    """Usernames compare case-insensitively: NFKC, trimmed, lower-case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def valid_username(normalized: str) -> bool:
    return bool(_USERNAME.match(normalized))


@dataclass
class Identity:
    cipher: PiiCipher
    passwords: Passwords
    lockout: LockoutPolicy
    keys: KeyRing
    access_ttl: dt.timedelta
    refresh_ttl: dt.timedelta
    audience: tuple[str, ...]

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
        )

    def username_key(self, username: str) -> str:
        """The keyed hash failed logins are counted by (never the name itself)."""
        return self.cipher.blind_index(normalize_username(username), kind="username")

    def phone_index(self, normalized_phone: str) -> str:
        return self.cipher.blind_index(normalized_phone, kind="phone")

    def seal_phone(self, normalized_phone: str) -> str:
        return self.cipher.encrypt(normalized_phone, context=PHONE_CONTEXT)

    def open_phone(self, sealed: str | None) -> str | None:
        return self.cipher.decrypt(sealed, context=PHONE_CONTEXT) if sealed else None

    def masked_phone(self, sealed: str | None) -> str | None:
        phone = self.open_phone(sealed)
        return mask_phone(phone) if phone else None
