"""The gateway checks the tokens of its own routes with the kernel's verifier,
fed from its own key table instead of an HTTP call to itself. A ``kid`` it
does not know (another replica has just rotated) makes it reread the keys,
at most once a second."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt

from kernel.web.auth import TokenVerifier

KeysLoader = Callable[[], Awaitable[dict[str, Any]]]


class GatewayVerifier(TokenVerifier):
    def __init__(self, *, audience: str, load_keys: KeysLoader, reload_interval_s: float = 1.0) -> None:
        super().__init__(audience=audience)
        self._load_keys = load_keys
        self._reload_interval_s = reload_interval_s
        self._reloaded_at: float | None = None
        self._reload_lock = asyncio.Lock()

    async def reload(self) -> None:
        """Reread the published keys (at start-up and right after a rotation)."""
        async with self._reload_lock:
            self.load(await self._load_keys())
            self._reloaded_at = time.monotonic()

    async def key_for(self, kid: str) -> jwt.PyJWK | None:
        key = await super().key_for(kid)
        if key is not None:
            return key
        if self._reloaded_at is not None and time.monotonic() - self._reloaded_at < self._reload_interval_s:
            return None
        await self.reload()
        return await super().key_for(kid)
