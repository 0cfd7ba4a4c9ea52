"""Tokens for tests, minted with the kernel's own claim format and a per-run key."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from kernel.auth.tokens import SigningKey, access_claims, jwks
from kernel.web.auth import TokenVerifier

SERVICES = ("projects", "relocation", "housing", "funding", "gateway")
KEY = SigningKey.generate("test-key")


def token(*roles: str, region: str | None = "430000000000", projects: Iterable[uuid.UUID | str] = (),
          subject: str | None = None, name: str = "测试用户", kind: str = "user", scopes: Iterable[str] = (),
          household: uuid.UUID | str | None = None,
          audience: Iterable[str] = SERVICES, ttl: dt.timedelta = dt.timedelta(minutes=15),
          key: SigningKey = KEY) -> str:
    claims = access_claims(subject=subject or f"{kind}:{uuid.uuid4()}", kind=kind, name=name,
                           roles=roles or ("admin",), region_code=region, project_ids=projects, scopes=scopes,
                           household_id=household,
                           audience=audience, ttl=ttl)
    return key.sign(claims)


def bearer(*roles: str, **kw: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(*roles, **kw)}"}  # type: ignore[arg-type]


def verifier(audience: str) -> TokenVerifier:
    return TokenVerifier(audience=audience, jwks=jwks([KEY]))
