"""Retries and races, for real: one Idempotency-Key, many concurrent POSTs; many
concurrent updates with If-Match, none lost."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.projects.conftest import project_body

BASE = "/api/v1/projects/projects"


async def test_50_concurrent_identical_posts_create_exactly_one(live: httpx.AsyncClient) -> None:
    code = f"IDEM-{uuid.uuid4().hex[:8].upper()}"
    key = f"offline-capture-{uuid.uuid4()}"
    body = project_body(code)
    responses = await asyncio.gather(*(live.post(BASE, json=body, headers={"Idempotency-Key": key})
                                       for _ in range(50)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    created = [r for r in responses if r.status_code == 201]
    assert created, "someone must have created it"
    assert len({r.json()["id"] for r in created}) == 1, "every 201 describes the same record"
    firsts = [r for r in created if r.headers.get("idempotent-replayed") != "true"]
    assert len(firsts) == 1, "exactly one request did the work; the others were replays"
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency.in_progress"
    listed = (await live.get(BASE, params={"limit": 200})).json()["items"]
    assert [p["code"] for p in listed].count(code) == 1

    # Later retries replay the first response exactly; another body with the key is refused.
    again = await live.post(BASE, json=body, headers={"Idempotency-Key": key})
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == firsts[0].json()
    assert again.headers["location"] == firsts[0].headers["location"]
    other = await live.post(BASE, json={**body, "name": "另一个项目"}, headers={"Idempotency-Key": key})
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"


async def test_keys_belong_to_their_caller(live: httpx.AsyncClient) -> None:
    from tests.support.auth import bearer

    key = f"shared-key-{uuid.uuid4()}"
    a = await live.post(BASE, json=project_body(f"KA-{uuid.uuid4().hex[:6].upper()}"),
                        headers={"Idempotency-Key": key, **bearer("admin", subject="user:a")})
    b = await live.post(BASE, json=project_body(f"KB-{uuid.uuid4().hex[:6].upper()}"),
                        headers={"Idempotency-Key": key, **bearer("admin", subject="user:b")})
    assert a.status_code == b.status_code == 201
    assert a.json()["id"] != b.json()["id"]


async def test_1000_concurrent_update_pairs_lose_no_update(live: httpx.AsyncClient, live_url: str) -> None:
    """1,000 pairs, 32 pairs in flight. In each pair two clients read the same version
    and both try to add 1 to a counter with If-Match: one wins, the other gets 412,
    re-reads and tries again. A lost update would leave a counter below 2."""
    pairs = 1000
    ids = await _bulk_projects(live_url, pairs)
    in_flight = asyncio.Semaphore(32)
    conflicts = 0

    async def increment(pid: str, first: httpx.Response) -> None:
        nonlocal conflicts
        current = first
        while True:
            value = current.json()["target_households"]
            r = await live.patch(f"{BASE}/{pid}", json={"target_households": value + 1},
                                 headers={"If-Match": current.headers["etag"]})
            if r.status_code == 200:
                return
            assert r.status_code == 412, r.text
            conflicts += 1
            current = await live.get(f"{BASE}/{pid}")

    async def pair(pid: str) -> None:
        async with in_flight:
            a, b = await asyncio.gather(live.get(f"{BASE}/{pid}"), live.get(f"{BASE}/{pid}"))
            assert a.headers["etag"] == b.headers["etag"]  # both start from the same version
            await asyncio.gather(increment(pid, a), increment(pid, b))

    await asyncio.gather(*(pair(pid) for pid in ids))
    finals = await asyncio.gather(*(live.get(f"{BASE}/{pid}") for pid in ids))
    lost = [f.json()["code"] for f in finals if f.json()["target_households"] != 2 or f.json()["version"] != 3]
    assert lost == [], f"lost updates on {len(lost)} projects"
    assert conflicts >= pairs, "every pair must have raced (one 412 at least)"
    print(f"{pairs} pairs: {2 * pairs} increments, 0 lost, {conflicts} conflicts answered 412")


async def _bulk_projects(url: str, n: int) -> list[str]:
    """n projects straight into the table (the API path is not what is measured here)."""
    import asyncpg

    from scripts.localdb import asyncpg_dsn

    ids = [uuid.uuid4() for _ in range(n)]
    conn = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await conn.executemany(
            "INSERT INTO projects.project (id, code, name, type, land_path, region_code, stage, target_households,"
            " version, created_at, updated_at) VALUES ($1, $2, '并发测试项目', 'shantytown', 'state',"
            " '430903001000', 'reserve', 0, 1, now(), now())",
            [(pid, f"PAIR-{pid.hex[:12].upper()}") for pid in ids])
    finally:
        await conn.close()
    return [str(pid) for pid in ids]
