"""Personal information: ID-card numbers, phone numbers (and bank accounts later).

At rest: AES-256-GCM, ``<key id>.<nonce>.<ciphertext>`` (base64url), so keys
rotate: new writes use the active key, old values still decrypt with theirs.
Lookup: a keyed hash (HMAC-SHA256 over the normalized value), never the value.
Out: masked (``110101********1234``, ``138****1234``); whole only through a
reveal that states a purpose and is audited.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kernel.errors import FieldError, Invalid

_ID18 = re.compile(r"^[1-9][0-9]{16}[0-9X]$")
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class InvalidPersonalData(Invalid, ValueError):
    code = "pii.invalid"
    title_zh = "身份证号或手机号格式不正确"
    title_en = "Malformed ID or phone number"


class PiiKeyError(RuntimeError):
    pass


def normalize_id_card(value: str) -> str:
    """18-digit resident ID (GB 11643-1999), checksum verified; upper-case X."""
    v = value.strip().replace(" ", "").upper()
    if not _ID18.match(v):
        raise InvalidPersonalData("身份证号应为 18 位",
                                  errors=[FieldError("id_card", "id_card_format", "身份证号应为 18 位")])
    total = sum(int(d) * w for d, w in zip(v[:17], _WEIGHTS, strict=True))
    if _CHECK[total % 11] != v[17]:
        raise InvalidPersonalData("身份证号校验位不正确",
                                  errors=[FieldError("id_card", "id_card_checksum", "身份证号校验位不正确")])
    return v


def normalize_phone(value: str) -> str:
    """Mainland mobile number, 11 digits; +86 / 0086 / spaces / dashes removed."""
    v = re.sub(r"[\s-]", "", value.strip())
    for prefix in ("+86", "0086"):
        if v.startswith(prefix):
            v = v[len(prefix):]
    if not _MOBILE.match(v):
        raise InvalidPersonalData("手机号应为 11 位大陆手机号",
                                  errors=[FieldError("phone", "phone_format", "手机号应为 11 位大陆手机号")])
    return v


def mask_id_card(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def mask_phone(value: str) -> str:
    return value[:3] + "****" + value[-4:] if len(value) >= 7 else "*" * len(value)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keyring(spec: str) -> dict[str, bytes]:
    """``"k1:<base64 32 bytes>,k2:<...>"`` → {kid: key}."""
    ring: dict[str, bytes] = {}
    for item in filter(None, (p.strip() for p in spec.split(","))):
        kid, _, b64key = item.partition(":")
        key = _unb64(b64key)
        if not kid or len(key) != 32:
            raise PiiKeyError(f"key {kid!r} must be 32 bytes (base64url)")
        ring[kid] = key
    return ring


@dataclass(frozen=True)
class PiiCipher:
    keys: dict[str, bytes]
    active_kid: str
    index_key: bytes

    def __post_init__(self) -> None:
        if self.active_kid not in self.keys:
            raise PiiKeyError(f"active key {self.active_kid!r} is not in the keyring")
        if len(self.index_key) < 32:
            raise PiiKeyError("the index key must be at least 32 bytes")

    @classmethod
    def from_settings(cls, keyring: str, active_kid: str, index_key: str) -> PiiCipher:
        return cls(parse_keyring(keyring), active_kid, _unb64(index_key))

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        """``context`` (e.g. the column) is bound as associated data: a value moved to
        another column does not decrypt."""
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.active_kid]).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{self.active_kid}.{_b64(nonce)}.{_b64(sealed)}"

    def decrypt(self, token: str, *, context: str = "") -> str:
        kid, _, rest = token.partition(".")
        nonce_b64, _, sealed_b64 = rest.partition(".")
        key = self.keys.get(kid)
        if key is None:
            raise PiiKeyError(f"no key {kid!r} in the keyring")
        return AESGCM(key).decrypt(_unb64(nonce_b64), _unb64(sealed_b64), context.encode()).decode()

    def key_id(self, token: str) -> str:
        return token.partition(".")[0]

    def blind_index(self, normalized: str, *, kind: str) -> str:
        """Keyed hash for equality search; ``kind`` separates ID numbers from phones."""
        return hmac.new(self.index_key, f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()


#: Development keys: only for the local run and tests; every deployment sets its own.
DEV_KEYRING = "dev1:" + _b64(hashlib.sha256(b"anju-development-pii-key").digest())
DEV_INDEX_KEY = _b64(hashlib.sha256(b"anju-development-index-key").digest())


def new_key() -> str:
    """A fresh base64url 32-byte key, for ``<PREFIX>PII_KEYRING``."""
    return _b64(os.urandom(32))
