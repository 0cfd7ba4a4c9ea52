"""Optimistic concurrency over HTTP: ``ETag`` carries a record's version;
updates send it back in ``If-Match``. A stale version answers 412, a missing
one 428 (see ``kernel.problems``). ``If-Match: *`` matches whatever version is
current (RFC 9110): the update is unconditional, and its audit entry says so
(``UNCONDITIONAL``; decision 0022)."""

from __future__ import annotations

import re

from kernel.errors import PreconditionFailed, PreconditionRequired

_ETAG = re.compile(r'^(?:W/)?"(\d{1,18})"$')


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an update expects; None for ``*`` (any version). Raises 428 when absent."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired()
    value = if_match.strip()
    if value == "*":
        return None
    match = _ETAG.match(value)
    if match is None:
        # An ETag we never issued cannot match the current version.
        raise PreconditionFailed("If-Match does not name a version of this record")
    return int(match.group(1))


#: What an unconditional update adds to its audit entry's ``after``.
UNCONDITIONAL = {"if_match": "*"}


def unconditional(if_match: str | None) -> bool:
    """Whether the update was sent with ``If-Match: *`` (any current version)."""
    return if_match is not None and if_match.strip() == "*"


def check_version(current: int, expected: int | None) -> None:
    if expected is not None and current != expected:
        raise PreconditionFailed(extra={"current_etag": etag(current)})
