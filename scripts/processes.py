"""Start a deployable as a real process with the command ``make run`` uses, wait
until it answers, stop it cleanly; hand out ports that concurrent callers never
share. Used by the end-to-end tests and the benchmarks."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import httpx

from scripts.components import Component

ROOT = Path(__file__).resolve().parent.parent

# Ports handed out for servers come from below the kernel's ephemeral range (32768-60999 on
# Linux), so no outgoing connection or ``bind(0)`` of another program takes one between the
# moment it is chosen and the moment the server binds it. Each chosen port is reserved with a
# lock file held until this process exits, so concurrent callers (pytest-xdist workers,
# parallel test runs, benchmarks) never get the same one.
PORT_RANGE = range(20000, 32000)
_PORT_LOCKS = Path(tempfile.gettempdir()) / "anju-ports"
_reserved: dict[int, IO[bytes]] = {}


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on and no other caller of this function holds."""
    _PORT_LOCKS.mkdir(exist_ok=True)
    span = len(PORT_RANGE)
    start = (os.getpid() * 97 + len(_reserved)) % span  # spread concurrent processes over the range
    for offset in range(span):
        port = PORT_RANGE[(start + offset) % span]
        if port in _reserved:
            continue
        lock = (_PORT_LOCKS / f"{port}.lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:  # in use by something that does not take our locks
                lock.close()
                continue
        _reserved[port] = lock
        return port
    raise RuntimeError(f"no free port in {PORT_RANGE.start}-{PORT_RANGE.stop - 1}")


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
