"""Routes: escalation rules (data) and their firings."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response, status

from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import with_etag
from services.projects.escalation import service as uc
from services.projects.escalation.schemas import (
    FiringPage,
    FiringRead,
    FiringResolve,
    RuleCreate,
    RuleList,
    RuleRead,
    RuleUpdate,
)
from services.projects.escalation.vocabulary import EscalationAction
from services.projects.permissions import ManageEscalations, ReadProjects

router = api_router("/api/v1/projects", "escalations")


def _rule(rule: Any) -> RuleRead:
    return RuleRead.model_validate({**{k: getattr(rule, k) for k in RuleRead.model_fields if hasattr(rule, k)},
                                    "action_label": EscalationAction.label_of(rule.action)})


def _firing(f: Any, rule: Any) -> FiringRead:
    values = {k: getattr(f, k) for k in FiringRead.model_fields if hasattr(f, k)}
    return FiringRead.model_validate({**values, "rule_code": rule.code, "rule_name": rule.name,
                                      "action": rule.action,
                                      "action_label": EscalationAction.label_of(rule.action)})


@router.get("/escalation-rules", response_model=RuleList, summary="预警规则列表")
async def list_rules(session: SessionDep, actor: ReadProjects) -> RuleList:
    return RuleList(items=[_rule(r) for r in await uc.list_rules(session)])


@router.post("/escalation-rules", status_code=status.HTTP_201_CREATED, response_model=RuleRead,
             summary="新增预警规则", responses=problem_responses(403, 409))
async def create_rule(body: RuleCreate, session: SessionDep, actor: ManageEscalations, response: Response,
                      idem: IdempotencyDep) -> RuleRead:
    read = with_etag(_rule(await uc.create_rule(session, actor, body.model_dump())), response)
    await idem.save(response, read, status.HTTP_201_CREATED)
    return read


@router.get("/escalation-rules/{rule_id}", response_model=RuleRead, summary="查看预警规则",
            responses=problem_responses(404))
async def get_rule(rule_id: uuid.UUID, session: SessionDep, actor: ReadProjects, response: Response) -> RuleRead:
    return with_etag(_rule(await uc.get_rule(session, rule_id)), response)


@router.patch("/escalation-rules/{rule_id}", response_model=RuleRead, summary="修改预警规则（周数、阈值、启停）",
              responses=problem_responses(403, 404, 412, 428))
async def update_rule(rule_id: uuid.UUID, body: RuleUpdate, session: SessionDep, actor: ManageEscalations,
                      response: Response, if_match: IfMatch = None) -> RuleRead:
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    rule = await uc.update_rule(session, actor, rule_id, changes, expected_version(if_match))
    return with_etag(_rule(rule), response)


@router.get("/escalations", response_model=FiringPage, summary="预警触发记录（约谈、取消评先资格等）")
async def list_firings(
    session: SessionDep, page: PageDep, actor: ReadProjects,
    project_id: Annotated[uuid.UUID | None, Query(description="只看该项目")] = None,
    open_only: Annotated[bool, Query(description="只看未处理的")] = False,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="行政区划代码前缀")] = None,
) -> FiringPage:
    result = await uc.list_firings(session, actor, page, project_id=project_id, open_only=open_only,
                                   region_prefix=region_prefix)
    rules = await uc.rules_by_id(session, {f.rule_id for f in result.items})
    return FiringPage(items=[_firing(f, rules[f.rule_id]) for f in result.items], next_cursor=result.next_cursor)


@router.get("/escalations/{firing_id}", response_model=FiringRead, summary="查看预警触发记录",
            responses=problem_responses(404))
async def get_firing(firing_id: uuid.UUID, session: SessionDep, actor: ReadProjects,
                     response: Response) -> FiringRead:
    f = await uc.get_firing(session, actor, firing_id)
    return with_etag(_firing(f, await uc.get_rule(session, f.rule_id)), response)


@router.post("/escalations/{firing_id}/resolve", response_model=FiringRead, summary="预警处理办结（填写处理情况）",
             responses=problem_responses(403, 404, 409, 412, 428))
async def resolve_firing(firing_id: uuid.UUID, body: FiringResolve, session: SessionDep, actor: ManageEscalations,
                         response: Response, if_match: IfMatch = None) -> FiringRead:
    f = await uc.resolve_firing(session, actor, firing_id, body.note, expected_version(if_match))
    return with_etag(_firing(f, await uc.get_rule(session, f.rule_id)), response)
