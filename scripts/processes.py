"""Start a deployable as a real process with the command ``make run`` uses, wait
until it answers, stop it cleanly. Used by the end-to-end tests and the benchmarks."""

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

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running(component: Component, env: dict[str, str], port: int, *, log_path: Path | None = None,
            ready_path: str = "/healthz", timeout_s: float = 60) -> Iterator[str]:
    """``python -m <module> serve`` on 127.0.0.1:``port``; yields its base URL once
    ``ready_path`` answers 200; SIGTERM (then SIGKILL) on exit."""
    full_env = {**os.environ, **env, f"{component.env_prefix}PORT": str(port),
                f"{component.env_prefix}HOST": "127.0.0.1", f"{component.env_prefix}LOG_LEVEL": "WARNING"}
    with contextlib.ExitStack() as stack:
        out = stack.enter_context(log_path.open("wb")) if log_path else subprocess.DEVNULL
        proc = subprocess.Popen([sys.executable, *component.serve_args], env=full_env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"

        def tail() -> str:
            return log_path.read_text(errors="replace")[-2000:] if log_path else "(no log kept)"

        try:
            deadline = time.monotonic() + timeout_s
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"{component.name} exited with {proc.returncode}: {tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base + ready_path, timeout=1).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{component.name} not ready after {timeout_s:.0f}s: {tail()}")
                time.sleep(0.1)
            yield base
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
