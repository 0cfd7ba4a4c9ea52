"""Real processes for end-to-end tests, started with the same commands as ``make run``."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from scripts.components import Component

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(component: Component, env: dict[str, str], port: int, log_dir: Path,
            ready_path: str = "/healthz", timeout_s: float = 60) -> Iterator[str]:
    """Start ``python -m <module> serve`` and wait until ``ready_path`` answers 200."""
    full_env = {**os.environ, **env, f"{component.env_prefix}PORT": str(port),
                f"{component.env_prefix}HOST": "127.0.0.1", f"{component.env_prefix}LOG_LEVEL": "WARNING"}
    log_path = log_dir / f"{component.name}-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, *component.serve_args], env=full_env, cwd=ROOT,
                                stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{component.name} exited: {log_path.read_text(errors='replace')[-2000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + ready_path, timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{component.name} not ready: {log_path.read_text(errors='replace')[-2000:]}")
                time.sleep(0.1)
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def black_hole() -> Iterator[int]:
    """A TCP port that accepts connections and never answers (a hung upstream)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    try:
        yield int(server.getsockname()[1])
    finally:
        server.close()
