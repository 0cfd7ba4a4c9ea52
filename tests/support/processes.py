"""Real processes for end-to-end tests (see ``scripts.processes``), and a hung upstream."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from pathlib import Path

from scripts.components import Component
from scripts.processes import free_port
from scripts.processes import running as _running

__all__ = ["black_hole", "free_port", "running"]


@contextlib.contextmanager
def running(component: Component, env: dict[str, str], port: int, log_dir: Path,
            ready_path: str = "/healthz") -> Iterator[str]:
    with _running(component, env, port, log_path=log_dir / f"{component.name}-{port}.log",
                  ready_path=ready_path) as base:
        yield base


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
