from __future__ import annotations

import pytest

from kernel.concurrency import check_version, etag, expected_version
from kernel.errors import PreconditionFailed, PreconditionRequired
from kernel.pagination import BadCursor, decode_cursor, encode_cursor


def test_cursor_round_trip() -> None:
    cursor = encode_cursor(["2026-11-22T05:00:00+00:00", "5b6c"])
    assert decode_cursor(cursor, 2) == ["2026-11-22T05:00:00+00:00", "5b6c"]


@pytest.mark.parametrize("bad", ["!!!", "bm90IGpzb24", encode_cursor(["a"]), "W10"])
def test_bad_cursors(bad: str) -> None:
    with pytest.raises(BadCursor):
        decode_cursor(bad, 2)


def test_if_match() -> None:
    assert etag(7) == '"7"'
    assert expected_version('"7"') == 7
    assert expected_version('W/"7"') == 7
    assert expected_version("*") is None
    with pytest.raises(PreconditionRequired):
        expected_version(None)
    with pytest.raises(PreconditionRequired):
        expected_version("  ")
    with pytest.raises(PreconditionFailed):
        expected_version('"abc"')
    check_version(3, 3)
    check_version(3, None)
    with pytest.raises(PreconditionFailed):
        check_version(3, 2)


async def test_verified_tokens_are_cached_but_expiry_still_applies() -> None:
    import datetime as dt

    from kernel.auth.principal import Unauthenticated
    from tests.support.auth import token, verifier

    v = verifier("projects")
    good = token("admin", audience=["projects"])
    first = await v.verify(good)
    assert await v.verify(good) is first  # the second time: no signature check
    short = token("admin", audience=["projects"], ttl=dt.timedelta(seconds=1))
    claims = await v.verify(short)
    claims["exp"] -= 3600  # as if an hour had passed
    with pytest.raises(Unauthenticated):
        await v.verify(short)
    v.cache_size = 1
    await v.verify(token("admin", audience=["projects"]))
    await v.verify(token("admin", audience=["projects"]))
    assert len(v._verified) == 1
