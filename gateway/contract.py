"""The gateway's contract: its own operations plus every service's ``/api/v1``
operations, which it routes with paths unchanged. Pure functions on dicts."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any


class ContractConflict(ValueError):
    pass


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
