"""Routes: a project's stages — the plan, the gate of the next stage, moves and history."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request, Response, status

from contracts.projects import Stage
from kernel.auth.principal import Principal
from kernel.calendar import today
from kernel.concurrency import etag, expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.web.deps import IfMatch, SessionDep, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import with_etag
from services.projects.permissions import ReadProjects, WriteStages
from services.projects.stages import service as uc
from services.projects.stages.rules import GateRules
from services.projects.stages.schemas import (
    ConditionRead,
    GateRead,
    StageMove,
    StagePlanUpdate,
    StageRowRead,
    StagesRead,
    TransitionList,
    TransitionRead,
)

router = api_router("/api/v1/projects", "stages")


async def gate_rules(request: Request) -> GateRules:
    s = request.app.state.settings
    return GateRules(comment_window_days=s.gate_comment_window_days,
                     collective_plan_notice_days=s.gate_collective_plan_notice_days)


Rules = Annotated[GateRules, Depends(gate_rules)]


async def _read(session: SessionDep, actor: Principal, project_id: uuid.UUID, rules: GateRules,
                response: Response) -> StagesRead:
    ov = await uc.overview(session, actor, project_id, today(), rules)
    p = ov.project
    nxt = None
    if ov.next_stage is not None and ov.next_gate is not None:
        nxt = GateRead(stage=ov.next_stage, stage_label=ov.next_stage.label, allowed=ov.next_gate.allowed,
                       conditions=[ConditionRead(code=c.code, label=c.label, met=c.met, detail=c.detail)
                                   for c in ov.next_gate.conditions])
    return with_etag(StagesRead(
        project_id=p.id, stage=Stage(p.stage), stage_label=Stage(p.stage).label, version=p.version,
        stages=[StageRowRead(stage=r.stage, stage_label=r.stage.label, planned_start=r.planned_start,
                             planned_end=r.planned_end, actual_start=r.actual_start, actual_end=r.actual_end,
                             current=r.current, delayed=r.delayed) for r in ov.stages],
        next=nxt), response)


@router.get("/projects/{project_id}/stages", response_model=StagesRead,
            summary="查看项目阶段（计划、实际与下一阶段条件）", responses=problem_responses(404))
async def get_stages(project_id: uuid.UUID, session: SessionDep, actor: ReadProjects, rules: Rules,
                     response: Response) -> StagesRead:
    return await _read(session, actor, project_id, rules, response)


@router.put("/projects/{project_id}/stages/plan", response_model=StagesRead, summary="设定阶段计划日期",
            responses=problem_responses(403, 404, 412, 428))
async def plan_stages(project_id: uuid.UUID, body: StagePlanUpdate, session: SessionDep, actor: WriteStages,
                      rules: Rules, response: Response, if_match: IfMatch = None) -> StagesRead:
    plans = {item.stage: (item.planned_start, item.planned_end) for item in body.stages}
    await uc.plan_stages(session, actor, project_id, plans, expected_version(if_match))
    return await _read(session, actor, project_id, rules, response)


@router.post("/projects/{project_id}/stage-transitions", status_code=status.HTTP_201_CREATED,
             response_model=TransitionRead, summary="推进（或按规定回退）项目阶段",
             description="只能进入下一阶段，且须满足其前置条件；不满足时返回 409，`errors` 列出每个未满足的条件。"
                         "签约期内未达到签约比例时，可从签约阶段回到征询阶段。",
             responses=problem_responses(403, 404, 409, 412, 428))
async def move_stage(project_id: uuid.UUID, body: StageMove, session: SessionDep, actor: WriteStages,
                     rules: Rules, response: Response, idem: IdempotencyDep,
                     if_match: IfMatch = None) -> TransitionRead:
    project, transition = await uc.move_stage(session, actor, project_id, body.to_stage, body.on, body.note,
                                              expected_version(if_match), today(), rules)
    response.headers["ETag"] = etag(project.version)
    read = TransitionRead.model_validate(transition)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.get("/projects/{project_id}/stage-transitions", response_model=TransitionList, summary="阶段变更历史",
            responses=problem_responses(404))
async def stage_history(project_id: uuid.UUID, session: SessionDep, actor: ReadProjects) -> TransitionList:
    rows = await uc.history(session, actor, project_id)
    return TransitionList(items=[TransitionRead.model_validate(r) for r in rows])
