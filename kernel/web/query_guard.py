"""A query parameter the route does not declare is refused, not ignored: ``?name=`` on a list
that has no such filter would otherwise answer the whole list as if it had been filtered. The
names a route takes are collected once per route from its dependency tree (sub-dependencies,
aliases and parameter models included), once per app. Routes outside the contract
(``include_in_schema=False``, e.g. the docs' sign-in redirect) are left alone."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.params import Query
from fastapi.routing import iter_route_contexts
from pydantic import AliasChoices, BaseModel

from kernel.errors import FieldError, Invalid

_CACHE_ATTRIBUTE = "_declared_query_names"


class UnknownQueryParameter(Invalid):
    code = "validation_failed"
    title_zh = "请求参数不合法"
    title_en = "Request validation failed"


def _names_of(alias: str, name: str, validation_alias: object, by_name: bool) -> set[str]:
    names = {alias}
    if isinstance(validation_alias, AliasChoices):
        names |= {choice for choice in validation_alias.choices if isinstance(choice, str)}
    elif isinstance(validation_alias, str):
        names.add(validation_alias)
    if by_name:
        names.add(name)
    return names


def _model_of(annotation: Any) -> type[BaseModel] | None:
    candidates = [annotation, *getattr(annotation, "__args__", ())]
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def declared_query_names(dependant: Dependant) -> frozenset[str]:
    """Every query parameter name the dependant and its sub-dependencies accept."""
    names: set[str] = set()
    seen: set[int] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for field in current.query_params:
            info = field.field_info
            model = _model_of(info.annotation) if isinstance(info, Query) else None
            if model is not None:  # a parameter model: its fields are the parameters
                by_name = bool(model.model_config.get("populate_by_name")
                               or model.model_config.get("validate_by_name"))
                for name, sub in model.model_fields.items():
                    names |= _names_of(sub.alias or name, name, sub.validation_alias, by_name)
            else:
                names |= _names_of(field.alias, field.name, info.validation_alias, False)
        stack.extend(current.dependencies)
    return frozenset(names)


def _names_by_route(app: Any) -> dict[int, frozenset[str] | None]:
    """For each route of the app (by identity), the names it takes; None for a route outside the
    contract. Read from each route's effective dependency tree, so that the dependencies of the
    routers it is included in count too; built once per app."""
    table: dict[int, frozenset[str] | None] = {}
    for ctx in iter_route_contexts(app.routes):
        dependant = getattr(ctx, "dependant", None)
        if not isinstance(dependant, Dependant):
            continue
        key = id(ctx.original_route)
        if not getattr(ctx, "include_in_schema", True):
            table.setdefault(key, None)
            continue
        names = declared_query_names(dependant)
        known = table.get(key)
        table[key] = names if known is None else known | names
    return table


def _route_names(request: Request, route: Any) -> frozenset[str] | None:
    table: dict[int, frozenset[str] | None] | None = getattr(request.app.state, _CACHE_ATTRIBUTE, None)
    if table is None or id(route) not in table:  # first use, or a route added since
        table = _names_by_route(request.app)
        setattr(request.app.state, _CACHE_ATTRIBUTE, table)
    return table.get(id(route))


def _printable(name: str) -> str:
    """The name as a field path may show it: at most 64 characters, controls escaped."""
    name = name[:64]
    return name if name.isprintable() else name.encode("unicode_escape").decode("ascii")


def unknown_parameter_message(allowed: frozenset[str]) -> str:
    if not allowed:
        return "不支持的查询参数：本接口不接受查询参数"
    return "不支持的查询参数：本接口接受 " + "、".join(sorted(allowed))


async def refuse_unknown_query(request: Request) -> None:
    """An app-wide dependency: 422 naming each query parameter the route does not declare."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    allowed = None if route is None else _route_names(request, route)
    if allowed is None:  # not a route of the contract
        return
    unknown = [name for name in dict.fromkeys(request.query_params.keys()) if name not in allowed]
    if unknown:
        message = unknown_parameter_message(allowed)
        raise UnknownQueryParameter("unknown query parameter", errors=[
            FieldError(f"query.{_printable(name)}", "unknown_parameter", message) for name in unknown[:20]])
