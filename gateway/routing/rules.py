"""The rules of routing (pure: time is passed in, documents are plain dicts).

A circuit breaker per downstream service. Closed: calls go through; ``failures``
consecutive failures open it. Open: calls are refused at once until ``reset_s``
has passed. Then one trial call is let through (half-open): success closes the
breaker, failure reopens it.

The gateway's contract: its own operations plus every service's ``/api/v1``
operations, which it routes with paths unchanged.

The label of a forwarded request in metrics and access logs: the route template of the
service that served it (bounded: never the raw path).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.routing.errors import ContractConflict


@dataclass
class Breaker:
    failures: int = 5
    reset_s: float = 5.0
    _consecutive: int = 0
    _opened_at: float | None = None
    _trial_running: bool = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._trial_running else "open"

    def allow(self, now: float) -> bool:
        if self._opened_at is None:
            return True
        if now - self._opened_at >= self.reset_s and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._consecutive = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self, now: float) -> None:
        self._consecutive += 1
        if self._trial_running or self._consecutive >= self.failures:
            self._opened_at = now
            self._trial_running = False


#: The label of a request the gateway could not route to a service (the service's name is not
#: taken from the path: labels stay bounded).
UNROUTED_LABEL = "/api/v1/{service}/…"


def proxied_route_label(service: str, announced: str | None) -> str:
    """The label of a forwarded request in metrics and logs: the route template the service
    announced for it, when it is one of that service's (``/api/v1/<service>/...``); else
    ``/api/v1/<service>/…`` (the service had no route for it, or did not answer)."""
    prefix = f"/api/v1/{service}"
    if announced and len(announced) <= 256 and (announced == prefix or announced.startswith(prefix + "/")):
        return announced
    return prefix + "/…"


def merge_contract(gateway: Mapping[str, Any], services: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    doc = copy.deepcopy(dict(gateway))
    paths: dict[str, Any] = doc.setdefault("paths", {})
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    tags: dict[str, dict[str, Any]] = {t["name"]: t for t in doc.get("tags", [])}
    operation_ids: dict[str, str] = {
        op["operationId"]: path for path, ops in paths.items() for op in ops.values() if "operationId" in op
    }
    for service, sdoc in services.items():
        for path, ops in sdoc.get("paths", {}).items():
            if not path.startswith(f"/api/v1/{service}/") and path != f"/api/v1/{service}":
                continue
            if path in paths:
                raise ContractConflict(f"path {path} is declared twice")
            for op in ops.values():
                oid = op.get("operationId")
                if oid in operation_ids:
                    raise ContractConflict(f"operationId {oid} used by {operation_ids[oid]} and {path}")
                operation_ids[oid] = path
                for tag in op.get("tags", []):
                    tags.setdefault(tag, {"name": tag})
            paths[path] = copy.deepcopy(ops)
        for name, schema in sdoc.get("components", {}).get("schemas", {}).items():
            if name in schemas and schemas[name] != schema:
                raise ContractConflict(f"schema {name} differs between services ({service})")
            schemas[name] = copy.deepcopy(schema)
        for tag in sdoc.get("tags", []):
            tags[tag["name"]] = {**tags.get(tag["name"], {}), **tag}
    if tags:
        doc["tags"] = sorted(tags.values(), key=lambda t: t["name"])
    return doc
