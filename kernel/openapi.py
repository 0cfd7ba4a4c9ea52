"""Contract helpers: operation ids ``{tag}-{name}``, deterministic export."""

from __future__ import annotations

import json
from typing import Any

from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """``{tag}-{verb_noun}``: the route function's name is the verb_noun."""
    tag = route.tags[0] if route.tags else "default"
    return f"{tag}-{route.name}"


def dump(document: dict[str, Any]) -> str:
    """Stable text for a committed document: sorted keys, two-space indent, trailing newline."""
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
