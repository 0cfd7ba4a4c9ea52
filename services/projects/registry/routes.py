"""Routes: projects."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from contracts.projects import ProjectType, Stage
from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.permissions import ReadProjects, WriteProjects
from services.projects.registry import service as uc
from services.projects.registry.rules import GeometryLimits
from services.projects.registry.schemas import (
    PROJECT_ROWS,
    ProjectCreate,
    ProjectFeature,
    ProjectFeatureCollection,
    ProjectPage,
    ProjectRead,
    ProjectUpdate,
)
from services.projects.registry.service import ProjectDraft

router = api_router("/api/v1/projects/projects", "projects")


async def geometry_limits(request: Request) -> GeometryLimits:
    s = request.app.state.settings
    return GeometryLimits(max_polygons=s.geometry_max_polygons, max_rings=s.geometry_max_rings,
                          max_positions=s.geometry_max_positions)


Limits = Annotated[GeometryLimits, Depends(geometry_limits)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRead,
             summary="登记项目", responses=problem_responses(403, 409))
async def create_project(body: ProjectCreate, session: SessionDep, response: Response, actor: WriteProjects,
                         idem: IdempotencyDep, limits: Limits) -> ProjectRead:
    project = await uc.create_project(session, actor, ProjectDraft(**body.model_dump()), geometry_limits=limits)
    return await created(ProjectRead.model_validate(project), response, location=f"{router.prefix}/{project.id}",
                         idem=idem)


@router.get("", response_model=ProjectPage, summary="查询项目列表")
async def list_projects(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN,
                                               description="行政区划代码前缀，如 430903 表示赫山区内")] = None,
    type: Annotated[ProjectType | None, Query(description="项目类型")] = None,
    stage: Annotated[Stage | None, Query(description="当前阶段")] = None,
    updated_since: Annotated[
        UpdatedSince, Query(description="只返回此时间之后变更的项目（增量同步），按变更时间排序")
    ] = None,
) -> Response:
    result = await uc.list_projects(session, actor, page, region_prefix=region_prefix, type=type, stage=stage,
                                    updated_since=updated_since)
    return PROJECT_ROWS.page(result.items, result.next_cursor)


class GeoJSONResponse(JSONResponse):
    media_type = "application/geo+json"


@router.get("/features", response_model=ProjectFeatureCollection, response_class=GeoJSONResponse,
            summary="项目地图（GeoJSON）",
            description="已绘制范围的项目，GeoJSON FeatureCollection（application/geo+json，WGS 84）；"
                        "筛选条件、数据范围与分页同项目列表（next_cursor 为下一页游标）。",
            responses={200: {"content": {"application/geo+json": {}}}})
async def project_features(
    session: SessionDep,
    page: PageDep,
    actor: ReadProjects,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN,
                                               description="行政区划代码前缀，如 430903 表示赫山区内")] = None,
    type: Annotated[ProjectType | None, Query(description="项目类型")] = None,
    stage: Annotated[Stage | None, Query(description="当前阶段")] = None,
) -> ProjectFeatureCollection:
    result = await uc.list_projects(session, actor, page, region_prefix=region_prefix, type=type, stage=stage,
                                    with_geometry=True)
    return ProjectFeatureCollection(features=[ProjectFeature.of(p) for p in result.items],
                                    next_cursor=result.next_cursor)


@router.get("/{project_id}", response_model=ProjectRead, summary="查看项目", responses=problem_responses(404))
async def get_project(project_id: uuid.UUID, session: SessionDep, response: Response,
                      actor: ReadProjects) -> ProjectRead:
    return with_etag(ProjectRead.model_validate(await uc.get_project(session, actor, project_id)), response)


@router.patch("/{project_id}", response_model=ProjectRead, summary="修改项目信息",
              responses=problem_responses(403, 404, 412, 428))
async def update_project(project_id: uuid.UUID, body: ProjectUpdate, session: SessionDep, response: Response,
                         actor: WriteProjects, limits: Limits, if_match: IfMatch = None) -> ProjectRead:
    expected = expected_version(if_match)
    project = await uc.update_project(session, actor, project_id, body.changes(), expected, geometry_limits=limits)
    return with_etag(ProjectRead.model_validate(project), response)
