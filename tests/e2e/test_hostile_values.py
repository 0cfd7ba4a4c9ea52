"""Issue 11, item 8, across the whole contract over real HTTP: every operation of the gateway's
contract is sent the values that used to answer 500 — a NUL byte in each query parameter, in a path
parameter and in a JSON body, a bidirectional override, and cursors holding a huge integer, the
wrong type or a NUL. No answer may be a 5xx (the schemathesis run covers what the schema generates;
these values it rarely does)."""

from __future__ import annotations

import base64
import json
import re
import uuid
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.e2e

LONG_POLL = re.compile(r"^/internal/v1/[a-z]+/events$")
CURSORS = [base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=")
           for v in (["99999999999999999999999"], ["abc"], ["\u0000"], ["1", "2", "3"])] + ["\u0000", "!!"]


def _path(template: str, params: list[dict[str, Any]], text: str | None = None) -> str:
    def fill(match: re.Match[str]) -> str:
        spec = next((p for p in params if p.get("in") == "path" and p["name"] == match.group(1)), {})
        schema = spec.get("schema", {})
        if text is not None and schema.get("type") == "string" and schema.get("format") != "uuid":
            return text
        return str(uuid.uuid4()) if schema.get("format") == "uuid" else "1"
    return re.sub(r"\{([^}]+)\}", fill, template)


def test_hostile_values_never_get_a_server_error(stack: dict[str, str], admin_headers: dict[str, str]) -> None:
    gateway = stack["gateway"]
    contract = httpx.get(f"{gateway}/openapi.json", timeout=10).json()
    failures: list[str] = []
    sent = 0
    with httpx.Client(base_url=gateway, headers=admin_headers, timeout=20) as client:
        for template, operations in contract["paths"].items():
            if LONG_POLL.match(template):
                continue
            for method, op in operations.items():
                if method not in {"get", "post", "patch", "put", "delete"}:
                    continue
                params = op.get("parameters", [])
                tries: list[tuple[str, dict[str, str], Any]] = []
                for p in params:
                    if p.get("in") == "query":
                        tries.append((_path(template, params), {p["name"]: "熊\u0000"}, None))
                        tries.append((_path(template, params), {p["name"]: "a\u202eb"}, None))
                        if p["name"] == "cursor":
                            tries += [(_path(template, params), {"cursor": c}, None) for c in CURSORS]
                if any(p.get("in") == "path" for p in params):
                    tries.append((_path(template, params, text="%00"), {}, None))
                if "application/json" in op.get("requestBody", {}).get("content", {}):
                    tries.append((_path(template, params), {}, {"name": "熊\u0000", "title": "a\u202eb",
                                                                "note": "\u200b"}))
                for url, query, body in tries:
                    headers = {"Idempotency-Key": str(uuid.uuid4()), "If-Match": '"1"'}
                    r = client.request(method.upper(), url, params=query, json=body, headers=headers)
                    sent += 1
                    if r.status_code >= 500:
                        failures.append(f"{method.upper()} {url} {query} {body}: {r.status_code} {r.text[:200]}")
    assert sent > 300
    assert not failures, "\n".join(failures[:40])
