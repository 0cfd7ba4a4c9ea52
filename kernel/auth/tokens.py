"""Access tokens: Ed25519 (EdDSA) signing keys, their public JWKs, and the claims
of an access token (see ``kernel.auth.principal`` for what each claim means). The gateway
issues tokens with these; every service verifies them (``kernel.web.auth``)."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kernel.auth.principal import ISSUER

ALGORITHM = "EdDSA"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        return cls(kid or uuid.uuid4().hex[:16], Ed25519PrivateKey.generate())

    @classmethod
    def from_private_bytes(cls, kid: str, raw: bytes) -> SigningKey:
        return cls(kid, Ed25519PrivateKey.from_private_bytes(raw))

    def private_bytes(self) -> bytes:
        return self.private_key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                              serialization.NoEncryption())

    def public_jwk(self) -> dict[str, str]:
        raw = self.private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                         serialization.PublicFormat.Raw)
        return {"kty": "OKP", "crv": "Ed25519", "x": _b64(raw), "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.private_key, algorithm=ALGORITHM, headers={"kid": self.kid})


def jwks(keys: Iterable[SigningKey]) -> dict[str, list[dict[str, str]]]:
    return {"keys": [k.public_jwk() for k in keys]}


def access_claims(*, subject: str, kind: str, name: str, roles: Iterable[str], region_code: str | None,
                  project_ids: Iterable[uuid.UUID | str] = (), scopes: Iterable[str] = (),
                  household_id: uuid.UUID | str | None = None, audience: Iterable[str], ttl: dt.timedelta,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    issued = now or dt.datetime.now(dt.UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": sorted(audience),
        "sub": subject,
        "typ": kind,
        "name": name,
        "roles": sorted(roles),
        "region": region_code,
        "projects": sorted(str(p) for p in project_ids),
        "iat": int(issued.timestamp()),
        "nbf": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    if household_id is not None:
        claims["household"] = str(household_id)
    scope = " ".join(sorted(scopes))
    if scope:
        claims["scope"] = scope
    return claims
