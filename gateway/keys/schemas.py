"""Response schemas of the signing-key routes: the published keys (JWKS) and their states."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class Jwk(BaseModel):
    kty: str = Field(examples=["OKP"])
    crv: str = Field(examples=["Ed25519"])
    x: str
    kid: str
    alg: str = Field(examples=["EdDSA"])
    use: str = Field(examples=["sig"])


class Jwks(BaseModel):
    keys: list[Jwk]


class KeyRead(BaseModel):
    kid: str
    state: Literal["current", "next", "retired"] = Field(
        description="current：正在签名；next：已公布，下次轮换后开始签名；retired：已退役")
    published: bool = Field(description="是否在 JWKS 中公布（退役后保留到其签发的令牌全部过期）")
    created_at: dt.datetime
    retired_at: dt.datetime | None


class KeyList(BaseModel):
    items: list[KeyRead]
