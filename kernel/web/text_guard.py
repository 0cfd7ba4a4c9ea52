"""Every request's text is checked once, at the edge, before a use case sees it: path and query
parameters and the decoded JSON body (``kernel.text`` says what is refused). A refused text answers
422 ``validation_failed`` naming each field, like any other invalid input, and nothing is written."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from kernel.errors import FieldError, Invalid
from kernel.text import MESSAGES, text_problem, text_problems


class TextRefused(Invalid):
    code = "validation_failed"
    title_zh = "请求参数不合法"
    title_en = "Request validation failed"


def _field(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


async def refuse_bad_text(request: Request) -> None:
    """An app-wide dependency. The body is read only when the route's own parsing has decoded it
    already (Starlette keeps the decoded JSON on the request): a route without a JSON body never
    has its body read here."""
    errors: list[FieldError] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and (problem := text_problem(value)) is not None:
            errors.append(FieldError(f"path.{name}", problem, MESSAGES[problem]))
    for name, value in request.query_params.multi_items():
        if (problem := text_problem(value)) is not None:
            errors.append(FieldError(f"query.{name}", problem, MESSAGES[problem]))
    body: Any = request.__dict__.get("_json")  # decoded by the route's own body parsing, if it has one
    if body is not None:
        errors.extend(FieldError(_field(path), problem, MESSAGES[problem])
                      for path, problem in text_problems(body, ("body",)))
    if errors:
        raise TextRefused("refused text", errors=errors[:50])
