"""A token signed while a rotation is still committing must not pin the retired key.

The cached key is dropped when ``rotate`` runs, but another request of the same process (a
login, a consumer renewing its token) may read the current key before the rotation commits:
its snapshot still shows the old key, and it caches that one for ``reload_s``. The key ring
is dropped again once the rotation has committed. Real commits, on a database of its own."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from gateway.keys.service import KeyRing, ensure_current_key, rotate
from kernel.auth.principal import SYSTEM
from kernel.db.session import Database, make_engine
from kernel.pii.cipher import DEV_INDEX_KEY, DEV_KEYRING, PiiCipher
from kernel.settings import normalize_database_url
from tests.support.db import scratch_database


@pytest.fixture
def keys_url(pg_server: str) -> Iterator[str]:
    with scratch_database(pg_server, f"anju_keys_{os.getpid()}") as url:
        yield url


@pytest.fixture
async def keys_db(keys_url: str) -> AsyncIterator[Database]:
    # As the owner: the keys' table, no row-level security in the way.
    engine = make_engine(normalize_database_url(keys_url))
    try:
        yield Database(engine=engine, sessionmaker=async_sessionmaker(engine, expire_on_commit=False))
    finally:
        await engine.dispose()


async def test_a_key_read_during_the_rotation_is_forgotten_once_it_commits(keys_db: Database) -> None:
    cipher = PiiCipher.from_settings(DEV_KEYRING, "dev1", DEV_INDEX_KEY)
    ring = KeyRing(cipher, access_ttl=dt.timedelta(minutes=15), reload_s=3600)
    async with keys_db.sessionmaker() as session, session.begin():
        await ensure_current_key(session, cipher)
    async with keys_db.sessionmaker() as session, session.begin():
        old = await ring.signing_key(session)

    rotating = keys_db.sessionmaker()
    async with rotating.begin():
        new = await rotate(rotating, ring, SYSTEM)
        # Meanwhile another request signs: it cannot see the uncommitted rotation.
        async with keys_db.sessionmaker() as other, other.begin():
            assert (await ring.signing_key(other)).kid == old.kid
    await rotating.close()

    async with keys_db.sessionmaker() as session, session.begin():
        assert (await ring.signing_key(session)).kid == new.kid != old.kid
