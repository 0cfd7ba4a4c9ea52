"""Routes: command. Paths are absolute under ``/api/v1/projects``: command units, people and
their positions, each project's responsibility chain, task-force members."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from kernel.concurrency import expected_version
from kernel.idempotency.web import IdempotencyDep
from kernel.pii.cipher import PiiCipher
from kernel.pii.reveal import Revealed, RevealRequest
from kernel.pii.sealed import SealedField
from kernel.regions import PREFIX_PATTERN
from kernel.web.deps import IfMatch, PageDep, SessionDep, UpdatedSince, api_router
from kernel.web.problems import problem_responses
from kernel.web.responses import created, with_etag
from services.projects.command import service as uc
from services.projects.command.schemas import (
    ChainRead,
    MemberCreate,
    MemberPage,
    MemberRead,
    MemberUpdate,
    PersonCreate,
    PersonPage,
    PersonRead,
    PersonUpdate,
    PositionCreate,
    PositionPage,
    PositionRead,
    PositionUpdate,
    ResponsibilityCreate,
    ResponsibilityRead,
    ResponsibilityUpdate,
    UnitCreate,
    UnitPage,
    UnitRead,
    UnitUpdate,
)
from services.projects.command.service import (
    Chain,
    MemberDraft,
    Person,
    PersonDraft,
    Position,
    PositionDraft,
    ResponsibilityDraft,
    UnitDraft,
)
from services.projects.command.vocabulary import ResponsibilityLevel, UnitKind
from services.projects.permissions import ReadProjects, RevealPii, WriteCommand

router = api_router("/api/v1/projects", "command")


async def get_phones(request: Request) -> SealedField:
    """People's phones: one cipher per app, from the service's PII settings."""
    phones: SealedField | None = getattr(request.app.state, "command_phones", None)
    if phones is None:
        s = request.app.state.settings
        phones = uc.person_phone(PiiCipher.from_settings(s.pii_keyring, s.pii_active_key, s.pii_index_key))
        request.app.state.command_phones = phones
    return phones


PhonesDep = Annotated[SealedField, Depends(get_phones)]
_UPDATED_SINCE = Query(description="只返回此时间之后变更的记录（增量同步）")


# --- command units ------------------------------------------------------------------------------


@router.post("/command-units", status_code=status.HTTP_201_CREATED, response_model=UnitRead,
             summary="登记指挥体系单位",
             description="指挥部、街道、工作专班（一个项目一个，区划取项目的区划）、职能部门、实施主体、"
                         "房屋征收部门及其实施单位。市、区指挥部与街道须设在相应级别的区划。",
             responses=problem_responses(403, 409))
async def create_command_unit(body: UnitCreate, session: SessionDep, response: Response, actor: WriteCommand,
                              idem: IdempotencyDep) -> UnitRead:
    unit = await uc.create_unit(session, actor, UnitDraft(**body.model_dump()))
    return await created(UnitRead.model_validate(unit), response, location=f"{router.prefix}/command-units/{unit.id}",
                         idem=idem)


@router.get("/command-units", response_model=UnitPage, summary="查询指挥体系单位")
async def list_command_units(
    session: SessionDep, page: PageDep, actor: ReadProjects,
    kind: Annotated[UnitKind | None, Query(description="单位类型")] = None,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="行政区划代码前缀")] = None,
    parent_id: Annotated[uuid.UUID | None, Query(description="上级单位")] = None,
    active: Annotated[bool | None, Query(description="是否在用")] = None,
    updated_since: Annotated[UpdatedSince, _UPDATED_SINCE] = None,
) -> UnitPage:
    result = await uc.list_units(session, actor, page, kind=kind, region_prefix=region_prefix, parent_id=parent_id,
                                 active=active, updated_since=updated_since)
    return UnitPage(items=[UnitRead.model_validate(u) for u in result.items], next_cursor=result.next_cursor)


@router.get("/command-units/{unit_id}", response_model=UnitRead, summary="查看指挥体系单位",
            responses=problem_responses(404))
async def get_command_unit(unit_id: uuid.UUID, session: SessionDep, response: Response,
                           actor: ReadProjects) -> UnitRead:
    return with_etag(UnitRead.model_validate(await uc.get_unit(session, actor, unit_id)), response)


@router.patch("/command-units/{unit_id}", response_model=UnitRead, summary="修改指挥体系单位",
              responses=problem_responses(403, 404, 412, 428))
async def update_command_unit(unit_id: uuid.UUID, body: UnitUpdate, session: SessionDep, response: Response,
                              actor: WriteCommand, if_match: IfMatch = None) -> UnitRead:
    expected = expected_version(if_match)
    return with_etag(UnitRead.model_validate(await uc.update_unit(session, actor, unit_id, body.changes(), expected)),
                     response)


# --- people -------------------------------------------------------------------------------------


def _person(phones: SealedField, person: Person) -> PersonRead:
    return PersonRead(id=person.id, name=person.name, phone=phones.masked(person.phone_enc),
                      region_code=person.region_code, gateway_username=person.gateway_username,
                      version=person.version, created_at=person.created_at, updated_at=person.updated_at)


@router.post("/people", status_code=status.HTTP_201_CREATED, response_model=PersonRead, summary="登记人员",
             description="手机号加密保存，返回时一律脱敏；可关联系统账号（网关用户名），专班成员据此获得项目权限。",
             responses=problem_responses(403, 409))
async def create_person(body: PersonCreate, session: SessionDep, response: Response, actor: WriteCommand,
                        phones: PhonesDep, idem: IdempotencyDep) -> PersonRead:
    person = await uc.create_person(session, actor, phones, PersonDraft(**body.model_dump()))
    return await created(_person(phones, person), response, location=f"{router.prefix}/people/{person.id}", idem=idem)


@router.get("/people", response_model=PersonPage, summary="查询人员", description="手机号一律脱敏。",
            responses=problem_responses(403))
async def list_people(
    session: SessionDep, page: PageDep, actor: ReadProjects, phones: PhonesDep,
    response: Response,
    region_prefix: Annotated[str | None, Query(pattern=PREFIX_PATTERN, description="行政区划代码前缀")] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=50, description="姓名包含")] = None,
    phone: Annotated[str | None, Query(min_length=11, max_length=20,
                                       description="按完整手机号查找：视同查看完整号码，须有 pii.reveal 权限并填写"
                                                   " purpose，记入审计（只记脱敏号码）")] = None,
    purpose: Annotated[str | None, Query(min_length=2, max_length=200,
                                         description="按手机号查找的事由（写入审计日志）")] = None,
    gateway_username: Annotated[str | None, Query(min_length=3, max_length=64, description="关联的系统账号")] = None,
    updated_since: Annotated[UpdatedSince, _UPDATED_SINCE] = None,
) -> PersonPage:
    result = await uc.list_people(session, actor, phones, page, region_prefix=region_prefix, name=name, phone=phone,
                                  purpose=purpose.strip() if purpose else None,
                                  gateway_username=gateway_username, updated_since=updated_since)
    if phone is not None:
        response.headers["Cache-Control"] = "no-store"
    return PersonPage(items=[_person(phones, p) for p in result.items], next_cursor=result.next_cursor)


@router.get("/people/{person_id}", response_model=PersonRead, summary="查看人员", responses=problem_responses(404))
async def get_person(person_id: uuid.UUID, session: SessionDep, response: Response, actor: ReadProjects,
                     phones: PhonesDep) -> PersonRead:
    return with_etag(_person(phones, await uc.get_person(session, actor, person_id)), response)


@router.post("/people/{person_id}/reveal", response_model=Revealed,
             summary="查看人员完整手机号（须说明事由，记入审计）",
             description="列表和详情中的手机号一律脱敏；确需联系时由有权限的管理员说明事由后查看，审计日志记录事由，不记录号码。",
             responses=problem_responses(403, 404))
async def reveal_person(person_id: uuid.UUID, body: RevealRequest, session: SessionDep, response: Response,
                        actor: RevealPii, phones: PhonesDep) -> Revealed:
    response.headers["Cache-Control"] = "no-store"
    values = await uc.reveal_person(session, actor, phones, person_id, body.purpose, list(body.fields))
    return Revealed(id=person_id, **values)


@router.patch("/people/{person_id}", response_model=PersonRead, summary="修改人员信息",
              description="改名同步到其所在的责任链与专班记录；改关联账号时其专班成员身份随之转到新账号。",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_person(person_id: uuid.UUID, body: PersonUpdate, session: SessionDep, response: Response,
                        actor: WriteCommand, phones: PhonesDep, if_match: IfMatch = None) -> PersonRead:
    expected = expected_version(if_match)
    person = await uc.update_person(session, actor, phones, person_id, body.changes(), expected)
    return with_etag(_person(phones, person), response)


# --- positions ----------------------------------------------------------------------------------


def _position(position: Position) -> PositionRead:
    return PositionRead(id=position.id, person_id=position.person_id, unit_id=position.unit_id, title=position.title,
                        started_on=position.started_on, ended_on=position.ended_on,
                        current=uc.position_current(position), version=position.version,
                        created_at=position.created_at, updated_at=position.updated_at)


@router.post("/positions", status_code=status.HTTP_201_CREATED, response_model=PositionRead, summary="任职",
             responses=problem_responses(403))
async def create_position(body: PositionCreate, session: SessionDep, response: Response, actor: WriteCommand,
                          idem: IdempotencyDep) -> PositionRead:
    position = await uc.create_position(session, actor, PositionDraft(**body.model_dump()))
    return await created(_position(position), response, location=f"{router.prefix}/positions/{position.id}",
                         idem=idem)


@router.get("/positions", response_model=PositionPage, summary="查询任职")
async def list_positions(
    session: SessionDep, page: PageDep, actor: ReadProjects,
    unit_id: Annotated[uuid.UUID | None, Query(description="单位")] = None,
    person_id: Annotated[uuid.UUID | None, Query(description="人员")] = None,
    current: Annotated[bool, Query(description="只列现任")] = False,
) -> PositionPage:
    result = await uc.list_positions(session, actor, page, unit_id=unit_id, person_id=person_id, current=current)
    return PositionPage(items=[_position(p) for p in result.items], next_cursor=result.next_cursor)


@router.get("/positions/{position_id}", response_model=PositionRead, summary="查看任职",
            responses=problem_responses(404))
async def get_position(position_id: uuid.UUID, session: SessionDep, response: Response,
                       actor: ReadProjects) -> PositionRead:
    return with_etag(_position(await uc.get_position(session, actor, position_id)), response)


@router.patch("/positions/{position_id}", response_model=PositionRead, summary="修改任职（含卸任）",
              responses=problem_responses(403, 404, 412, 428))
async def update_position(position_id: uuid.UUID, body: PositionUpdate, session: SessionDep, response: Response,
                          actor: WriteCommand, if_match: IfMatch = None) -> PositionRead:
    expected = expected_version(if_match)
    return with_etag(_position(await uc.update_position(session, actor, position_id, body.changes(), expected)),
                     response)


# --- responsibility chain -----------------------------------------------------------------------


def _chain(chain: Chain) -> ChainRead:
    def one(level: ResponsibilityLevel) -> ResponsibilityRead | None:
        holder = chain.holder(level)
        return ResponsibilityRead.model_validate(holder) if holder else None

    return ChainRead(
        project_id=chain.project.id, lead_leader=one(ResponsibilityLevel.lead_leader),
        township_secretary=one(ResponsibilityLevel.township_secretary),
        department_head=one(ResponsibilityLevel.department_head),
        staff=[ResponsibilityRead.model_validate(r) for r in chain.staff],
        households_assigned=chain.households_assigned, target_households=chain.project.target_households,
        complete=not chain.missing, missing=chain.missing)


@router.get("/projects/{project_id}/responsibility", response_model=ChainRead, summary="查看项目四级责任链",
            responses=problem_responses(404))
async def get_responsibility_chain(project_id: uuid.UUID, session: SessionDep, actor: ReadProjects) -> ChainRead:
    return _chain(await uc.get_chain(session, actor, project_id))


@router.post("/projects/{project_id}/responsibility", status_code=status.HTTP_201_CREATED,
             response_model=ResponsibilityRead, summary="指定责任人",
             description="区级领导、乡镇（街道）书记、坐班部门领导各一人；具体人员可多人，各自包干一部分住户"
                         "（户数或住户列表）。每户只能有一名包干责任人，包干户数合计不得超过项目目标户数。",
             responses=problem_responses(403, 404, 409))
async def assign_responsibility(project_id: uuid.UUID, body: ResponsibilityCreate, session: SessionDep,
                                response: Response, actor: WriteCommand,
                                idem: IdempotencyDep) -> ResponsibilityRead:
    r = await uc.assign_responsibility(session, actor, project_id, ResponsibilityDraft(**body.model_dump()))
    return await created(ResponsibilityRead.model_validate(r), response,
                         location=f"{router.prefix}/responsibilities/{r.id}", idem=idem)


@router.get("/responsibilities/{responsibility_id}", response_model=ResponsibilityRead, summary="查看责任人记录",
            responses=problem_responses(404))
async def get_responsibility(responsibility_id: uuid.UUID, session: SessionDep, response: Response,
                             actor: ReadProjects) -> ResponsibilityRead:
    return with_etag(ResponsibilityRead.model_validate(await uc.get_responsibility(session, actor, responsibility_id)),
                     response)


@router.patch("/responsibilities/{responsibility_id}", response_model=ResponsibilityRead,
              summary="修改责任人记录（换人、调整包干）", responses=problem_responses(403, 404, 409, 412, 428))
async def update_responsibility(responsibility_id: uuid.UUID, body: ResponsibilityUpdate, session: SessionDep,
                                response: Response, actor: WriteCommand,
                                if_match: IfMatch = None) -> ResponsibilityRead:
    expected = expected_version(if_match)
    r = await uc.update_responsibility(session, actor, responsibility_id, body.changes(), expected)
    return with_etag(ResponsibilityRead.model_validate(r), response)


@router.delete("/responsibilities/{responsibility_id}", status_code=status.HTTP_204_NO_CONTENT,
               summary="撤销责任人记录", responses=problem_responses(403, 404, 412, 428))
async def remove_responsibility(responsibility_id: uuid.UUID, session: SessionDep, actor: WriteCommand,
                                if_match: IfMatch = None) -> Response:
    expected = expected_version(if_match)
    await uc.remove_responsibility(session, actor, responsibility_id, expected)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- task-force members -------------------------------------------------------------------------


@router.get("/task-forces/{unit_id}/members", response_model=MemberPage, summary="查询专班成员",
            responses=problem_responses(404))
async def list_task_force_members(
    unit_id: uuid.UUID, session: SessionDep, page: PageDep, actor: ReadProjects,
    current: Annotated[bool | None, Query(description="true：仍在专班；false：已离开")] = None,
) -> MemberPage:
    result = await uc.list_members(session, actor, unit_id, page, current)
    return MemberPage(items=[MemberRead.model_validate(m) for m in result.items], next_cursor=result.next_cursor)


@router.post("/task-forces/{unit_id}/members", status_code=status.HTTP_201_CREATED, response_model=MemberRead,
             summary="加入专班",
             description="关联了系统账号的成员，下次取得令牌时即可访问该项目（网关据事件更新）。",
             responses=problem_responses(403, 404, 409))
async def add_task_force_member(unit_id: uuid.UUID, body: MemberCreate, session: SessionDep, response: Response,
                                actor: WriteCommand, idem: IdempotencyDep) -> MemberRead:
    member = await uc.add_member(session, actor, unit_id, MemberDraft(**body.model_dump()))
    return await created(MemberRead.model_validate(member), response,
                         location=f"{router.prefix}/taskforce-members/{member.id}", idem=idem)


@router.get("/taskforce-members/{member_id}", response_model=MemberRead, summary="查看专班成员记录",
            responses=problem_responses(404))
async def get_task_force_member(member_id: uuid.UUID, session: SessionDep, response: Response,
                                actor: ReadProjects) -> MemberRead:
    return with_etag(MemberRead.model_validate(await uc.get_member(session, actor, member_id)), response)


@router.patch("/taskforce-members/{member_id}", response_model=MemberRead, summary="修改专班成员（含离开专班）",
              description="填写 left_on 即离开专班（不能晚于今天），此后该记录不能再修改。",
              responses=problem_responses(403, 404, 409, 412, 428))
async def update_task_force_member(member_id: uuid.UUID, body: MemberUpdate, session: SessionDep,
                                   response: Response, actor: WriteCommand,
                                   if_match: IfMatch = None) -> MemberRead:
    expected = expected_version(if_match)
    member = await uc.update_member(session, actor, member_id, body.changes(), expected)
    return with_etag(MemberRead.model_validate(member), response)
