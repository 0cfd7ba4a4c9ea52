"""Shared benchmark plumbing: a database and a lean load generator (processes: ``scripts.processes``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from scripts.localdb import create_database, drop_database, embedded_server


@contextlib.contextmanager
def bench_server() -> Iterator[str]:
    """``TEST_DATABASE_URL``/``DATABASE_URL`` server, else the embedded PostgreSQL."""
    url = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if url:
        yield url
        return
    with embedded_server("pgdata-bench") as server:
        yield server


@contextlib.contextmanager
def scratch(server: str, name: str) -> Iterator[str]:
    url = create_database(server, name, replace=True)
    try:
        yield url
    finally:
        drop_database(server, name)


def bench_token(role: str, region: str) -> tuple[str, dict[str, Any]]:
    """A token of a fresh key for the projects service, and the JWKS that verifies it."""
    import datetime as dt

    from kernel.auth.tokens import SigningKey, access_claims, jwks

    key = SigningKey.generate("bench")
    claims = access_claims(subject="user:bench", kind="user", name="基准测试", roles=[role], region_code=region,
                           audience=["projects"], ttl=dt.timedelta(hours=2))
    return key.sign(claims), jwks([key])


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{entry.name}/stat", "rb") as f:
                parent = int(f.read().rsplit(b")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    return children


def _descendants(root: int, children: dict[int, list[int]]) -> list[int]:
    found, frontier = [], [root]
    while frontier:
        below = children.get(frontier.pop(), [])
        found += below
        frontier += below
    return found


def cpu_seconds(command_contains: str) -> float:
    """CPU time (user + system) so far of the processes this one started whose command line
    contains ``command_contains``, with everything they started in turn (uvicorn workers),
    read from ``/proc``; 0.0 where there is no ``/proc``."""
    if not os.path.isdir("/proc"):
        return 0.0
    children = _children()
    pids: set[int] = set()
    for pid in _descendants(os.getpid(), children):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as f:
            if command_contains.encode() in f.read().replace(b"\0", b" "):
                pids |= {pid, *_descendants(pid, children)}
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError), open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of proc(5)
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    @property
    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
        elif name.strip().lower() == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                return status
    if length:
        await reader.readexactly(length)
    return status


async def load(base_url: str, path: str | list[str], *, concurrency: int, seconds: float,
               headers: dict[str, str] | None = None) -> LoadResult:
    """Keep-alive HTTP/1.1 GETs from ``concurrency`` connections for ``seconds``.

    A hand-rolled client keeps the generator's own CPU cost low and identical
    for every target, so ratios compare the servers, not the client library.
    """
    url = httpx.URL(base_url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    paths = [path] if isinstance(path, str) else path
    requests = [(f"GET {p} HTTP/1.1\r\nHost: {url.host}:{url.port}\r\n{extra}\r\n").encode() for p in paths]
    result = LoadResult()
    stop_at = time.perf_counter() + seconds

    async def worker(n: int) -> None:
        request = requests[n % len(requests)]
        reader, writer = await asyncio.open_connection(url.host, url.port)
        try:
            while time.perf_counter() < stop_at:
                start = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                result.latencies.append(time.perf_counter() - start)
                result.requests += 1
                if status != 200:
                    result.errors += 1
        finally:
            writer.close()

    begin = time.perf_counter()
    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    result.seconds = time.perf_counter() - begin
    return result


def compare(targets: dict[str, tuple[str, dict[str, str] | None]], path: str, *, rounds: int, seconds: float,
            concurrency: int) -> dict[str, LoadResult]:
    """The same GET against several targets (label -> (base URL, headers)): a warm-up,
    then interleaved rounds so that drift on the machine hits every target alike."""
    for base, headers in targets.values():
        asyncio.run(load(base, path, concurrency=concurrency, seconds=1.0, headers=headers))
    totals = {label: LoadResult() for label in targets}
    for i in range(rounds):
        for label, (base, headers) in targets.items():
            r = asyncio.run(load(base, path, concurrency=concurrency, seconds=seconds, headers=headers))
            total = totals[label]
            total.requests += r.requests
            total.errors += r.errors
            total.seconds += r.seconds
            total.latencies += r.latencies
        print(f"round {i + 1}: " + ", ".join(f"{label} {t.rps:.0f} req/s" for label, t in totals.items()),
              flush=True)
    for label, t in totals.items():
        print(f"{label}: {t.requests} requests, {t.errors} errors, p50 {t.p50_ms:.2f} ms, "
              f"p99 {t.percentile(99) * 1000:.2f} ms")
    return totals
