"""Issue 11, item 15: a query parameter a route does not declare is refused (422 naming it), not
ignored; a bad enum value's Chinese message lists the allowed values with their labels."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.routing import iter_route_contexts
from pydantic import AliasChoices, BaseModel, Field

from kernel.web.query_guard import declared_query_names

PROJECTS = "/api/v1/projects/projects"


async def test_an_unknown_query_parameter_is_a_422_naming_it(projects: httpx.AsyncClient) -> None:
    for params in ({"nme": "熊"}, {"order": "name", "limit": "5"}, {"foo": "1", "bar": "2"}):
        r = await projects.get(PROJECTS, params=params)
        assert r.status_code == 422, (params, r.status_code, r.text)
        body = r.json()
        assert body["code"] == "validation_failed", body
        unknown = sorted(k for k in params if k != "limit")
        assert sorted(e["field"] for e in body["errors"]) == [f"query.{k}" for k in unknown], body
        assert all(e["code"] == "unknown_parameter" for e in body["errors"]), body
        assert "本接口接受" in body["errors"][0]["message"], body
        assert "limit" in body["errors"][0]["message"], body


async def test_declared_query_parameters_still_pass(projects: httpx.AsyncClient) -> None:
    r = await projects.get(PROJECTS, params={"limit": "5", "stage": "reserve"})
    assert r.status_code == 200, r.text
    r = await projects.get("/api/v1/projects/tasks", params={"status": "in_progress", "limit": "5"})  # an alias
    assert r.status_code == 200, r.text


async def test_a_route_without_query_parameters_refuses_any(projects: httpx.AsyncClient) -> None:
    r = await projects.get("/healthz", params={"x": "1"})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["message"] == "不支持的查询参数：本接口不接受查询参数"


class _Filters(BaseModel):
    region: str | None = None
    kind: str | None = Field(default=None, alias="type")


def _inner(deep: Annotated[int, Query()] = 0) -> int:
    return deep


def _outer(sub: Annotated[int, Depends(_inner)], shallow: Annotated[str, Query(alias="sh")] = "") -> str:
    return shallow


_router = APIRouter()


@_router.get("/x")
def _x(o: Annotated[str, Depends(_outer)], f: Annotated[_Filters, Query()],
       c: Annotated[str | None, Query(validation_alias=AliasChoices("c", "see"))] = None) -> None:
    return None


def test_declared_names_follow_sub_dependencies_aliases_and_models() -> None:
    app = FastAPI()
    app.include_router(_router)
    route = next(ctx for ctx in iter_route_contexts(app.routes) if ctx.path == "/x")
    names = declared_query_names(route.dependant)
    assert names >= {"deep", "sh", "region", "type", "c", "see"}, names
    assert not names & {"shallow", "o", "f", "sub"}, names


async def test_a_bad_enum_value_lists_the_allowed_values_with_labels(projects: httpx.AsyncClient) -> None:
    r = await projects.get("/api/v1/projects/tasks", params={"status": "bogus"})
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["field"] == "query.status", error
    assert error["code"] == "enum", error
    assert "not_started（未开始）" in error["message"], error
    assert "in_progress（" in error["message"], error
