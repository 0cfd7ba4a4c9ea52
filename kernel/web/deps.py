"""FastAPI dependencies every service uses: the request's session (committed
at the edge), page parameters, If-Match, and routers that document problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import AfterValidator
from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import Principal
from kernel.db.session import Database, bind_scope
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageTooLarge
from kernel.web.auth import authenticate
from kernel.web.problems import problem_responses


async def get_session(request: Request,
                      principal: Annotated[Principal, Depends(authenticate)]) -> AsyncIterator[AsyncSession]:
    """The caller's session: authenticated, with the caller's scope set for row-level
    security. Commits after the route returns and before the response is sent
    (``scope="function"``), so a failed commit still becomes an error response;
    rolls back when the route raises. Nothing is half written."""
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        scope_set = await bind_scope(session, principal.scope) if request.app.state.settings.db_rls else None
        yield session
        await session.commit()
        if scope_set is not None:
            scope_set()


async def get_system_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session for work that has no caller yet (login, token refresh)."""
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        yield session
        await session.commit()


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SystemSessionDep = Annotated[AsyncSession, Depends(get_system_session, scope="function")]


async def page_params(
    request: Request,
    limit: Annotated[int | None, Query(description="每页条数（默认 50，上限 200）")] = None,
    cursor: Annotated[str | None, Query(max_length=512, description="上一页返回的 next_cursor")] = None,
) -> PageRequest:
    settings = request.app.state.settings
    maximum = settings.page_size_max
    if limit is None:
        limit = settings.page_size_default
    if not 1 <= limit <= maximum:
        raise PageTooLarge(
            f"limit must be between 1 and {maximum}",
            errors=[FieldError("query.limit", "limit_out_of_range", f"每页条数须在 1 到 {maximum} 之间")],
        )
    return PageRequest(limit=limit, cursor=cursor)


PageDep = Annotated[PageRequest, Depends(page_params)]

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="上次读取时的 ETag；版本不符返回 412，缺少返回 428"),
]


def api_router(prefix: str, tag: str) -> APIRouter:
    """A router whose every route documents problem+json for 422 and 503
    (and never FastAPI's default validation schema)."""
    return APIRouter(prefix=prefix, tags=[tag], responses=problem_responses())


def as_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A time without a zone is read as UTC (clients of delta sync send either)."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


#: ``updated_since`` of a list (delta sync), in UTC; each route adds its ``Query(description=...)``:
#: ``updated_since: Annotated[UpdatedSince, Query(description="只返回此时间之后变更的…")] = None``.
UpdatedSince = Annotated[dt.datetime | None, AfterValidator(as_utc)]
