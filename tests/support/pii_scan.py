"""Find unmasked personal information in response text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI

from kernel.pagination import Page
from kernel.web.auth import api_routes

# Bounded by anything but ASCII letters and digits (quotes, spaces, Chinese text): a run of
# digits inside a hex hash or a base64 ciphertext is not a number anyone wrote down.
_EDGE_BEFORE, _EDGE_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
ID_CARD = re.compile(_EDGE_BEFORE + r"[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])[0-9]{5}[0-9Xx]" + _EDGE_AFTER)
PHONE = re.compile(_EDGE_BEFORE + r"1[3-9][0-9]{9}" + _EDGE_AFTER)


def unmasked(text: str) -> list[str]:
    return ID_CARD.findall(text) + PHONE.findall(text)


def list_routes(app: FastAPI) -> Iterator[Any]:
    """GET routes without path parameters that answer a page of records."""
    for route in api_routes(app):
        model = getattr(route, "response_model", None)
        if "GET" in route.methods and "{" not in route.path_format and isinstance(model, type) \
                and issubclass(model, Page):
            yield route
