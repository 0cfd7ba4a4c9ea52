"""Structured JSON logs (structlog), with the request id on every line.

Access lines (logger ``access``: one per request) go to stdout like the rest, unless
``ANJU_ACCESS_LOG`` names a file (``{service}`` is replaced by the service's name; ``-``
means stdout): ``make run`` sets it to ``.anju/logs/{service}.log`` so the console keeps
what people read."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any, TextIO

import structlog

from kernel.requestid import current_request_id

ACCESS_LOG_ENV = "ANJU_ACCESS_LOG"
ACCESS_LOGGER = "access"
_access_files: dict[Path, TextIO] = {}


def access_log_path(service: str, configured: str | None = None) -> Path | None:
    """Where access lines go (None: stdout)."""
    value = os.environ.get(ACCESS_LOG_ENV, "") if configured is None else configured
    if not value or value == "-":
        return None
    return Path(value.replace("{service}", service))


def _open(path: Path) -> TextIO:
    if path not in _access_files:
        path.parent.mkdir(parents=True, exist_ok=True)
        _access_files[path] = path.open("a", encoding="utf-8", buffering=1)  # line-buffered
    return _access_files[path]


class _LoggerFactory:
    """Print loggers: the access logger's to its file when one is configured, others to stdout."""

    def __init__(self, access: TextIO | None) -> None:
        self.access = access

    def __call__(self, *args: Any) -> structlog.PrintLogger:
        if self.access is not None and args and args[0] == ACCESS_LOGGER:
            return structlog.PrintLogger(file=self.access)
        return structlog.PrintLogger(file=sys.stdout)


def _add_request_id(_: object, __: str, event: structlog.typing.EventDict) -> structlog.typing.EventDict:
    rid = current_request_id()
    if rid and "request_id" not in event:
        event["request_id"] = rid
    return event


def configure_logging(service: str, level: str = "INFO", as_json: bool = True,
                      access_log: str | None = None) -> None:
    """structlog for our own lines, and the standard library's (uvicorn, alembic)
    rendered by the same processors, so every line on stdout is one JSON object.
    ``access_log`` (default: ``ANJU_ACCESS_LOG``) sends the access lines to a file."""
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer(ensure_ascii=False) if as_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
    ]
    numeric = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=_LoggerFactory(_open(path) if (path := access_log_path(service, access_log)) else None),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    ))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(numeric)
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
