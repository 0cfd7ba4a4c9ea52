"""The audit trail: every change and every reveal, append-only and hash-chained.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's
canonical JSON (sorted keys, UTC microsecond timestamps), so changing,
deleting or reordering any row breaks every later link. The functions here
are pure; ``kernel.records`` stores and reads the chain.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64

#: The fields that are hashed, in the stored entry.
HASHED_FIELDS = (
    "id", "occurred_at", "actor", "actor_name", "actor_roles", "action", "entity_type", "entity_id",
    "region_code", "project_id", "before", "after", "request_id", "client_ip", "prev_hash",
)


def jsonable(value: Any) -> Any:
    """Plain JSON values for snapshots: Decimal and UUID as strings, times in ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(v) for v in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    return value


def canonical(entry: Mapping[str, Any]) -> bytes:
    body = {name: jsonable(entry.get(name)) for name in HASHED_FIELDS}
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(entry: Mapping[str, Any]) -> str:
    """The entry's hash; ``entry["prev_hash"]`` links it to its predecessor."""
    return hashlib.sha256(canonical(entry)).hexdigest()


def first_broken(entries: Iterable[Mapping[str, Any]], prev: str = GENESIS) -> tuple[int | None, int, str]:
    """Walk entries in id order from ``prev`` (the hash before the first one).

    Returns (id of the first entry that does not verify, or None; entries
    checked; the last good hash, to continue with the next batch)."""
    checked = 0
    for entry in entries:
        checked += 1
        if entry.get("prev_hash") != prev or chain_hash(entry) != entry.get("hash"):
            return int(entry["id"]), checked, prev
        prev = str(entry["hash"])
    return None, checked, prev


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """Only what changed, for the stored ``before``/``after`` of an update."""
    b, a = jsonable(before or {}), jsonable(after or {})
    keys = sorted(set(b) | set(a))
    return {"before": {k: b.get(k) for k in keys if b.get(k) != a.get(k)},
            "after": {k: a.get(k) for k in keys if b.get(k) != a.get(k)}}
