"""Routes: administrative regions (reference data: every staff role reads them)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Response, status

from kernel.idempotency.web import IdempotencyDep
from kernel.regions import CODE_PATTERN, PREFIX_PATTERN, RegionLevel
from kernel.web.deps import PageDep, SessionDep, api_router
from kernel.web.problems import problem_responses
from services.projects.permissions import ReadRegions, WriteRegions
from services.projects.regions import service as uc
from services.projects.regions.schemas import RegionCreate, RegionPage, RegionRead

router = api_router("/api/v1/projects/regions", "regions")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegionRead,
             summary="登记行政区划", responses=problem_responses(409))
async def create_region(body: RegionCreate, session: SessionDep, actor: WriteRegions, response: Response,
                        idem: IdempotencyDep) -> RegionRead:
    region = await uc.create_region(session, actor, uc.RegionDraft(code=body.code, name=body.name))
    read = RegionRead.model_validate(region)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.get("", response_model=RegionPage, summary="查询行政区划列表")
async def list_regions(
    session: SessionDep,
    page: PageDep,
    actor: ReadRegions,
    parent_code: Annotated[str | None, Query(pattern=CODE_PATTERN, description="上级区划代码")] = None,
    level: Annotated[RegionLevel | None, Query(description="区划层级")] = None,
    prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="代码前缀")] = None,
) -> RegionPage:
    result = await uc.list_regions(session, page, parent_code=parent_code, level=level, prefix=prefix)
    return RegionPage(items=[RegionRead.model_validate(r) for r in result.items], next_cursor=result.next_cursor)


@router.get("/{code}", response_model=RegionRead, summary="查看行政区划", responses=problem_responses(404))
async def get_region(code: Annotated[str, Path(pattern=CODE_PATTERN)], session: SessionDep,
                     actor: ReadRegions) -> RegionRead:
    return RegionRead.model_validate(await uc.get_region(session, code))
