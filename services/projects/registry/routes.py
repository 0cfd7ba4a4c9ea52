"""Routes: projects."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status
from fastapi.responses import JSONResponse

from contracts.projects import ProjectType, Stage
from kernel.calendar import today
from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.permissions import ReadProjects, WriteProjects
from services.projects.registry import service as uc
from services.projects.registry.rules import GeometryLimits, MidwayClaim, evidence_of
from services.projects.registry.schemas import (
    PROJECT_ROWS,
    GateConditionRead,
    MidwayReport,
    PassedStageRead,
    ProjectCreate,
    ProjectFeature,
    ProjectFeatureCollection,
    ProjectPage,
    ProjectRead,
    ProjectRegistered,
    ProjectSort,
    ProjectUpdate,
    SearchText,
    UnmetConditionRead,
)
from services.projects.registry.service import ProjectDraft
from services.projects.stages import service as stages_uc
from services.projects.stages.rules import GateRules, StageGate

router = api_router("/api/v1/projects/projects", "projects")


async def geometry_limits(request: Request) -> GeometryLimits:
    s = request.app.state.settings
    return GeometryLimits(max_polygons=s.geometry_max_polygons, max_rings=s.geometry_max_rings,
                          max_positions=s.geometry_max_positions)


Limits = Annotated[GeometryLimits, Depends(geometry_limits)]


async def gate_rules(request: Request) -> GateRules:
    s = request.app.state.settings
    return GateRules(comment_window_days=s.gate_comment_window_days,
                     collective_plan_notice_days=s.gate_collective_plan_notice_days)


def _report(claim: MidwayClaim, gates: list[StageGate]) -> MidwayReport:
    stages = []
    for g in gates:
        ev = evidence_of(claim, g.stage)
        stages.append(PassedStageRead(
            stage=g.stage, stage_label=g.stage.label, note=ev.note if ev else None,
            document_refs=list(ev.document_refs) if ev else [], met=g.met,
            conditions=[GateConditionRead(code=c.code, label=c.label, met=c.met, detail=c.detail)
                        for c in g.conditions]))
    unmet = [UnmetConditionRead(stage=g.stage, stage_label=g.stage.label, code=c.code, label=c.label,
                                detail=c.detail)
             for g in gates for c in g.conditions if not c.met]
    return MidwayReport(reason=claim.reason, stages=stages, unmet=unmet, gates_met=not unmet)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRegistered,
             summary="登记项目",
             description="项目默认登记在其类型的第一个阶段（谋划储备）。登记在之后的阶段是中途登记（决定 0021）："
                         "须填写 registered_midway（中文事由与此前每个阶段的依据），记入审计；"
                         "答复列出这些阶段前置条件的现状（未满足的不拒绝登记，仅列出）。"
                         "未填写时答复 422 project.registered_midway_required。",
             responses=problem_responses(403, 409), response_model_exclude_unset=True)
async def create_project(body: ProjectCreate, session: SessionDep, response: Response, actor: WriteProjects,
                         idem: IdempotencyDep, limits: Limits,
                         rules: Annotated[GateRules, Depends(gate_rules)]) -> ProjectRead:
    claim = body.registered_midway.claim() if body.registered_midway else None
    draft = ProjectDraft(**body.model_dump(exclude={"registered_midway"}))
    project = await uc.create_project(session, actor, draft, geometry_limits=limits, midway=claim)
    # The project as it reads, plus (registered mid-way only) the report of the gates it claims.
    read = ProjectRead.model_validate(project)
    if claim is not None:
        report = _report(claim, await stages_uc.passed_gates(session, project, today(), rules))
        read = ProjectRegistered.model_validate({**read.model_dump(), "registered_midway": report})
    return await created(read, response, location=f"{router.prefix}/{project.id}", idem=idem)


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
    q: Annotated[SearchText, Query(description="按名称或编号搜索（包含该文字，不区分大小写，至多 100 字）")] = None,
    sort: Annotated[ProjectSort, Query(description="排序；前缀 - 为倒序。游标只对得出它的排序有效")
                    ] = ProjectSort.by_code,
    count: Annotated[bool, Query(description="true：页中给出符合条件的总数 total（多一次计数查询）")] = False,
) -> Response:
    result = await uc.list_projects(session, actor, page, region_prefix=region_prefix, type=type, stage=stage,
                                    updated_since=updated_since, q=q, sort=sort.value)
    extra = None
    if count:
        extra = {"total": await uc.count_projects(session, actor, region_prefix=region_prefix, type=type,
                                                  stage=stage, updated_since=updated_since, q=q)}
    return PROJECT_ROWS.page(result.items, result.next_cursor, extra=extra)


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
