"""Lockout and throttling (issue 11, item 5): concurrent wrong logins for one username get
at most ``lockout_failures`` password checks; one client address gets a bounded number of
failed attempts per window on the login, token and refresh endpoints, whatever usernames or
client ids it sprays (429 with Retry-After); successful sign-ins do not count."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app
from gateway.demo import DEMO_PASSWORD, demo_client_secret
from gateway.identity.service import Passwords
from gateway.settings import GatewaySettings
from kernel.db.session import Database, make_database

LOGIN = "/api/v1/auth/login"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LIMIT = 20  # the default per-address limit (attempts per minute)


WINDOW_S = 3600


@pytest.fixture
def gateway_app(gdb: Database, gateway_settings: GatewaySettings) -> FastAPI:
    """Windows are aligned to the clock: with the longest window a test's attempts never straddle two
    (with 60 s, a slow run crossing a minute started counting afresh and let the 21st attempt in)."""
    return create_app(gateway_settings.model_copy(update={"auth_throttle_window_s": WINDOW_S}), database=gdb)


def _client(app: FastAPI, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 50000)),
                             base_url="http://gateway")


@pytest.fixture
async def committed_app(gateway_settings: GatewaySettings) -> AsyncIterator[FastAPI]:
    """The gateway on its own connection pool (commits are real, requests really concurrent);
    what the test wrote is removed afterwards."""
    settings = gateway_settings.model_copy(update={"auth_throttle_attempts": 1000})
    db = make_database(settings)
    app = create_app(settings, database=db)
    try:
        yield app
    finally:
        async with db.engine.begin() as conn:
            from sqlalchemy import text

            await conn.execute(text("DELETE FROM gateway.login_failure WHERE client_ip = '198.51.100.30'"))
            await conn.execute(text("DELETE FROM gateway.auth_throttle WHERE address = '198.51.100.30'"))
        await db.dispose()


async def test_thirty_concurrent_wrong_logins_check_at_most_five_passwords(committed_app: FastAPI) -> None:
    passwords: Passwords = committed_app.state.identity.passwords
    checks = 0
    verify = passwords.verify

    async def counted(hashed: str | None, password: str) -> bool:
        nonlocal checks
        checks += 1
        return await verify(hashed, password)

    passwords.verify = counted  # type: ignore[method-assign]
    username = f"ghost.{uuid.uuid4().hex[:8]}"
    async with _client(committed_app, "198.51.100.30") as c:
        answers = await asyncio.gather(*(
            c.post(LOGIN, json={"username": username, "password": "Wrong@2026"}) for _ in range(30)))
    statuses = sorted(r.status_code for r in answers)
    assert checks <= 5, (checks, statuses)
    assert statuses == [401] * 5 + [429] * 25


async def test_one_address_spraying_usernames_is_throttled(gateway_app: FastAPI, gw: httpx.AsyncClient) -> None:
    for i in range(LIMIT):
        r = await gw.post(LOGIN, json={"username": f"spray.{i}", "password": "Summer@2026"})
        assert r.status_code == 401, (i, r.text)
    r = await gw.post(LOGIN, json={"username": "heshan.admin", "password": DEMO_PASSWORD})
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "auth.throttled"
    assert r.json()["title"] == "尝试次数过多，请稍后再试"
    assert 0 < int(r.headers["retry-after"]) <= WINDOW_S
    # Another address is not held back, and the username itself is not locked.
    async with _client(gateway_app, "198.51.100.77") as other:
        ok = await other.post(LOGIN, json={"username": "heshan.admin", "password": DEMO_PASSWORD})
        assert ok.status_code == 200, ok.text


async def test_successful_logins_do_not_count(gw: httpx.AsyncClient) -> None:
    for i in range(LIMIT + 2):
        r = await gw.post(LOGIN, json={"username": "taohualun.street_officer", "password": DEMO_PASSWORD})
        assert r.status_code == 200, (i, r.text)


async def test_client_secret_spraying_is_throttled(gateway_app: FastAPI, gw: httpx.AsyncClient) -> None:
    for i in range(LIMIT):
        r = await gw.post(TOKEN, data={"grant_type": "client_credentials", "client_id": f"svc-{i}",
                                       "client_secret": "anju-demo-guess-2026"})
        assert r.status_code == 401, (i, r.text)
    real = {"grant_type": "client_credentials", "client_id": "municipal-registry",
            "client_secret": demo_client_secret("municipal-registry")}
    r = await gw.post(TOKEN, data=real)
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "auth.throttled"
    assert int(r.headers["retry-after"]) > 0
    async with _client(gateway_app, "198.51.100.78") as other:
        assert (await other.post(TOKEN, data=real)).status_code == 200


async def test_guessing_refresh_tokens_is_throttled(gw: httpx.AsyncClient) -> None:
    for i in range(LIMIT):
        r = await gw.post(REFRESH, json={"refresh_token": f"anjurt_guess{i}"})
        assert r.status_code == 401, (i, r.text)
    r = await gw.post(REFRESH, json={"refresh_token": "anjurt_guess"})
    assert r.status_code == 429, r.text
    assert "retry-after" in r.headers


def test_the_numbers_are_settings() -> None:
    s = GatewaySettings(database_url="postgresql://x@localhost/none")
    assert (s.auth_throttle_attempts, s.auth_throttle_window_s) == (20, 60)
    throttled: Any = GatewaySettings(database_url="postgresql://x@localhost/none", auth_throttle_attempts=3)
    assert throttled.auth_throttle_attempts == 3
