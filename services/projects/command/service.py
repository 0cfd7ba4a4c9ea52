"""Use cases of the command structure: command units, people and their positions, each
project's four-level responsibility chain and its task force. Like every use case they
take the session and the caller, never commit, keep to the caller's scope (a record
outside it is "not found"), audit each change and emit events in the same transaction.

A reference in a request body (a person, a unit) that the caller cannot see is refused
as unknown (422), exactly like one that does not exist."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import (
    CommandUnitChanged,
    PersonChanged,
    PositionChanged,
    ResponsibilityChanged,
    TaskForceMemberChanged,
)
from kernel import calendar
from kernel.audit.chain import diff
from kernel.auth.principal import Forbidden, Principal
from kernel.concurrency import check_version
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from kernel.pii.cipher import InvalidPersonalData, PiiCipher
from kernel.pii.sealed import PHONE, SealedField
from kernel.regions import contains, level_of
from services.projects.command.errors import (
    AlreadyMember,
    GatewayUsernameTaken,
    HouseholdsAssignedTwice,
    InvalidCommand,
    LevelTaken,
    MembershipEnded,
    PersonIdTaken,
    PhoneLookupPurposeRequired,
    SharesExceedTarget,
    StaffAlreadyAssigned,
    TaskForceExists,
    UnitIdTaken,
    UnitNotFound,
)
from services.projects.command.models import CommandUnit, Person, Position, Responsibility, TaskForceMember
from services.projects.command.repository import (
    MemberRepository,
    PersonFilter,
    PersonRepository,
    PositionFilter,
    PositionRepository,
    ResponsibilityRepository,
    UnitFilter,
    UnitRepository,
)
from services.projects.command.vocabulary import (
    SINGLE_LEVELS,
    UNIT_KIND_LEVEL,
    DepartmentFunction,
    ResponsibilityLevel,
    UnitKind,
)
from services.projects.database import RECORDS
from services.projects.regions import service as regions_uc
from services.projects.registry import service as project_uc
from services.projects.registry.models import Project

__all__ = [
    "MAX_SHARE_HOUSEHOLDS", "Chain", "CommandUnit", "MemberDraft", "Person", "PersonDraft", "PersonPhone",
    "Position", "PositionDraft", "ResponsibilityDraft", "TaskForceMember", "UnitDraft", "add_member",
    "assign_responsibility", "create_person", "create_position", "create_unit", "get_chain", "get_member",
    "get_person", "get_position", "get_responsibility", "get_task_force", "get_unit", "list_members", "list_people",
    "list_positions", "list_units", "person_phone", "position_current", "remove_responsibility", "reveal_person",
    "update_member", "update_person", "update_position", "update_responsibility", "update_unit",
]

PHONE_CONTEXT = "person.phone"
#: The permission that opens a sealed phone number, and so finds a person by it.
REVEAL = "pii.reveal"
#: At most this many households listed in one staff member's share.
MAX_SHARE_HOUSEHOLDS = 5000


def _invalid(path: str, code: str, message: str) -> InvalidCommand:
    return InvalidCommand(errors=[FieldError(path, code, message)])


def _value(v: Any) -> Any:
    return v.value if isinstance(v, enum.Enum) else v


# --- command units ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitDraft:
    kind: UnitKind
    name: str
    region_code: str | None = None  # a task force takes its project's region
    parent_id: uuid.UUID | None = None
    function: DepartmentFunction | None = None
    project_id: uuid.UUID | None = None  # a task force's project
    id: uuid.UUID | None = None


UNIT_UPDATABLE = frozenset({"name", "region_code", "parent_id", "function", "active"})
UNIT_AUDITED = ("kind", "name", "region_code", "parent_id", "function", "project_id", "active")


def unit_snapshot(unit: CommandUnit) -> dict[str, Any]:
    return {name: getattr(unit, name) for name in UNIT_AUDITED}


def _unit_changed(unit: CommandUnit) -> CommandUnitChanged:
    return CommandUnitChanged(
        id=unit.id, kind=unit.kind, name=unit.name, region_code=unit.region_code, parent_id=unit.parent_id,
        project_id=unit.project_id, active=unit.active, version=unit.version)


async def _record_unit(session: AsyncSession, actor: Principal, unit: CommandUnit, action: str, *,
                       before: dict[str, Any] | None = None, after: dict[str, Any],
                       changed_only: bool = False) -> None:
    await RECORDS.record_change(session, actor, action=action, entity_type="command_unit", entity_id=unit.id,
                                region_code=unit.region_code, project_id=unit.project_id, before=before, after=after,
                                changed_only=changed_only, event=_unit_changed(unit))


def _check_level(kind: UnitKind, region_code: str, path: str = "body.region_code") -> None:
    wanted = UNIT_KIND_LEVEL[kind]
    if wanted is not None and level_of(region_code) is not wanted:
        raise _invalid(path, "region_level", f"{kind.label}须设在{_LEVEL_LABELS[wanted.value]}级区划")


_LEVEL_LABELS = {"province": "省", "city": "市", "county": "县（区）", "township": "乡镇（街道）",
                 "village": "村（社区）"}


async def _check_parent(session: AsyncSession, actor: Principal, kind: UnitKind, region_code: str,
                        parent_id: uuid.UUID | None, own_id: uuid.UUID | None = None) -> None:
    if parent_id is None:
        return
    if parent_id == own_id:
        raise _invalid("body.parent_id", "parent_self", "上级单位不能是本单位")
    parent = await UnitRepository(session).get_in_scope(parent_id, actor.scope)
    if parent is None:
        raise _invalid("body.parent_id", "unknown_unit", "上级单位不存在")
    if kind is UnitKind.expropriation_agency and parent.kind != UnitKind.expropriation_department:
        raise _invalid("body.parent_id", "parent_kind", "房屋征收实施单位的上级须为房屋征收部门")
    if not contains(parent.region_code, region_code):
        raise _invalid("body.parent_id", "parent_region", "单位所在区划须在上级单位的区划之内")


async def create_unit(session: AsyncSession, actor: Principal, draft: UnitDraft) -> CommandUnit:
    repo = UnitRepository(session)
    kind = UnitKind(draft.kind)
    project: Project | None = None
    if kind is UnitKind.task_force:
        if draft.project_id is None:
            raise _invalid("body.project_id", "project_required", "工作专班须指定所属项目")
        try:
            project = await project_uc.get_project(session, actor, draft.project_id)
        except project_uc.ProjectNotFound as exc:
            raise _invalid("body.project_id", "unknown_project", "项目不存在") from exc
        if draft.region_code is not None and draft.region_code != project.region_code:
            raise _invalid("body.region_code", "task_force_region", "工作专班的区划即其项目的区划")
        if await repo.task_force_of(project.id) is not None:
            raise TaskForceExists()
        region_code = project.region_code
    else:
        if draft.project_id is not None:
            raise _invalid("body.project_id", "project_not_allowed", "只有工作专班关联项目")
        if draft.region_code is None:
            raise _invalid("body.region_code", "region_required", "须指定单位所在区划")
        region_code = draft.region_code
        await regions_uc.require_region(session, actor, region_code)
        _check_level(kind, region_code)
    if draft.function is not None and kind is not UnitKind.department:
        raise _invalid("body.function", "function_not_allowed", "只有职能部门填写部门职能")
    await _check_parent(session, actor, kind, region_code, draft.parent_id)
    if draft.id is not None and await repo.exists(draft.id):
        raise UnitIdTaken()
    unit = await repo.add(CommandUnit(
        id=draft.id or uuid.uuid4(), kind=kind.value, name=draft.name, region_code=region_code,
        parent_id=draft.parent_id, function=_value(draft.function), project_id=draft.project_id, active=True))
    await _record_unit(session, actor, unit, "command_unit.create", after=unit_snapshot(unit))
    if project is not None:
        await project_uc.set_task_force(session, actor, project, unit.id)
    return unit


async def get_unit(session: AsyncSession, actor: Principal, unit_id: uuid.UUID) -> CommandUnit:
    return await UnitRepository(session).require(unit_id, actor.scope)


async def list_units(session: AsyncSession, actor: Principal, page: PageRequest, *, kind: UnitKind | None = None,
                     region_prefix: str | None = None, parent_id: uuid.UUID | None = None,
                     active: bool | None = None, updated_since: dt.datetime | None = None) -> PageResult[CommandUnit]:
    f = UnitFilter(kind=kind.value if kind else None, region_prefix=region_prefix, parent_id=parent_id,
                   active=active, updated_since=updated_since)
    return await UnitRepository(session).page(f, actor.scope, page)


async def update_unit(session: AsyncSession, actor: Principal, unit_id: uuid.UUID, changes: dict[str, Any],
                      expected_version: int | None) -> CommandUnit:
    unknown = set(changes) - UNIT_UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    unit = await get_unit(session, actor, unit_id)
    check_version(unit.version, expected_version)
    kind = UnitKind(unit.kind)
    region_code = changes.get("region_code", unit.region_code)
    if region_code != unit.region_code:
        if kind is UnitKind.task_force:
            raise _invalid("body.region_code", "task_force_region", "工作专班的区划即其项目的区划")
        await regions_uc.require_region(session, actor, region_code)
        _check_level(kind, region_code)
    if changes.get("function") is not None and kind is not UnitKind.department:
        raise _invalid("body.function", "function_not_allowed", "只有职能部门填写部门职能")
    parent_id = changes.get("parent_id", unit.parent_id)
    if "parent_id" in changes or region_code != unit.region_code:
        await _check_parent(session, actor, kind, region_code, parent_id, own_id=unit.id)
    before = unit_snapshot(unit)
    for name, value in changes.items():
        setattr(unit, name, _value(value))
    await session.flush()
    after = unit_snapshot(unit)
    if after != before:
        await _record_unit(session, actor, unit, "command_unit.update", before=before, after=after, changed_only=True)
    return unit


async def move_task_force(session: AsyncSession, actor: Principal, unit_id: uuid.UUID, region_code: str) -> None:
    """A task force sits in its project's region: it moves with the project
    (``registry.service.update_project``)."""
    unit = await UnitRepository(session).get(unit_id)
    if unit is None or unit.region_code == region_code:
        return
    before = unit.region_code
    unit.region_code = region_code
    await session.flush()
    await _record_unit(session, actor, unit, "command_unit.update", before={"region_code": before},
                       after={"region_code": unit.region_code})


# --- people -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonDraft:
    name: str
    region_code: str
    phone: str | None = None
    gateway_username: str | None = None
    id: uuid.UUID | None = None


PERSON_UPDATABLE = frozenset({"name", "region_code", "phone", "gateway_username"})


class PersonPhone(SealedField):
    """People's phone numbers (``Person.phone_enc`` / ``phone_index``): sealed at rest, found by
    keyed hash, shown masked, opened only by an audited reveal (``reveal_person``). A malformed
    number is refused like any other bad value of the command structure."""

    def normalize(self, value: str) -> str:
        try:
            return super().normalize(value)
        except InvalidPersonalData as exc:
            raise InvalidCommand(errors=exc.errors) from exc


def person_phone(cipher: PiiCipher) -> PersonPhone:
    """People's phones sealed with the service's cipher (one per app)."""
    return PersonPhone(PHONE, PHONE_CONTEXT, cipher, field_path="body.phone")


def person_snapshot(phones: SealedField, person: Person) -> dict[str, Any]:
    """What the audit trail keeps of a person: never the phone number, only its mask."""
    return {"name": person.name, "region_code": person.region_code, "phone": phones.masked(person.phone_enc),
            "gateway_username": person.gateway_username}


def _person_changed(person: Person) -> PersonChanged:
    return PersonChanged(id=person.id, name=person.name, region_code=person.region_code,
                         gateway_username=person.gateway_username, version=person.version)


async def create_person(session: AsyncSession, actor: Principal, phones: SealedField, draft: PersonDraft) -> Person:
    repo = PersonRepository(session)
    await regions_uc.require_region(session, actor, draft.region_code)
    username = draft.gateway_username.lower() if draft.gateway_username else None
    if username is not None and await repo.username_taken(username):
        raise GatewayUsernameTaken(errors=[FieldError("body.gateway_username", "username_linked",
                                                      "该系统账号已关联其他人员")])
    if draft.id is not None and await repo.exists(draft.id):
        raise PersonIdTaken()
    person = Person(id=draft.id or uuid.uuid4(), name=draft.name, region_code=draft.region_code,
                    gateway_username=username)
    phones.assign(person, draft.phone, sealed_attr="phone_enc", index_attr="phone_index")
    await repo.add(person)
    await RECORDS.record_change(session, actor, action="person.create", entity_type="person", entity_id=person.id,
                                region_code=person.region_code, after=person_snapshot(phones, person),
                                event=_person_changed(person))
    return person


async def get_person(session: AsyncSession, actor: Principal, person_id: uuid.UUID) -> Person:
    return await PersonRepository(session).require(person_id, actor.scope)


async def reveal_person(session: AsyncSession, actor: Principal, phones: SealedField, person_id: uuid.UUID,
                        purpose: str, fields: list[str]) -> dict[str, str | None]:
    """A person's whole phone number for a stated purpose (``pii.reveal``); the audit entry keeps
    the purpose and the field names, never the number (decision 0009)."""
    person = await get_person(session, actor, person_id)
    wanted = sorted(set(fields))
    await RECORDS.record_change(session, actor, action="person.reveal", entity_type="person", entity_id=person.id,
                                region_code=person.region_code, after={"purpose": purpose, "fields": wanted})
    values = {"phone": phones.opened(person.phone_enc)}
    return {name: values[name] for name in wanted}


async def list_people(session: AsyncSession, actor: Principal, phones: SealedField, page: PageRequest, *,
                      region_prefix: str | None = None, name: str | None = None, phone: str | None = None,
                      purpose: str | None = None, gateway_username: str | None = None,
                      updated_since: dt.datetime | None = None) -> PageResult[Person]:
    """People in the caller's scope. Finding them by a whole phone number tells whether a number is
    someone's, so it is a reveal: it needs ``pii.reveal`` and a purpose, and it is audited with the
    number's mask and the people found, never the number (decision 0009)."""
    index = None
    if phone is not None:
        if not actor.may(REVEAL):
            raise Forbidden("按完整手机号查找人员须有查看个人信息的权限（pii.reveal）")
        if purpose is None:
            raise PhoneLookupPurposeRequired(errors=[FieldError("query.purpose", "purpose_required",
                                                                "按手机号查找须说明事由（写入审计日志）")])
        index = phones.lookup(phone)
    f = PersonFilter(region_prefix=region_prefix, name=name, phone_index=index,
                     gateway_username=gateway_username.lower() if gateway_username else None,
                     updated_since=updated_since)
    result = await PersonRepository(session).page(f, actor.scope, page)
    if phone is not None:
        mask = phones.kind.mask(phones.normalize(phone))
        await RECORDS.record_change(session, actor, action="person.lookup_by_phone", entity_type="person_lookup",
                                    entity_id=mask, region_code=actor.region_code,
                                    after={"purpose": purpose, "phone": mask,
                                           "found": [str(p.id) for p in result.items]})
    return result


async def update_person(session: AsyncSession, actor: Principal, phones: SealedField, person_id: uuid.UUID,
                        changes: dict[str, Any], expected_version: int | None) -> Person:
    """A new name is copied into the project rows that name the person; a new account link
    moves the person's current task-force memberships to it (announced to the gateway)."""
    unknown = set(changes) - PERSON_UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    repo = PersonRepository(session)
    person = await get_person(session, actor, person_id)
    check_version(person.version, expected_version)
    if "region_code" in changes and changes["region_code"] != person.region_code:
        await regions_uc.require_region(session, actor, changes["region_code"])
    username = changes.get("gateway_username", person.gateway_username)
    username = username.lower() if username else None
    if username != person.gateway_username and username is not None and await repo.username_taken(username, person.id):
        raise GatewayUsernameTaken(errors=[FieldError("body.gateway_username", "username_linked",
                                                      "该系统账号已关联其他人员")])
    before = person_snapshot(phones, person)
    relinked = username != person.gateway_username
    renamed = "name" in changes and changes["name"] != person.name
    phone_changed = "phone" in changes and phones.assign(person, changes["phone"], sealed_attr="phone_enc",
                                                          index_attr="phone_index")
    if "name" in changes:
        person.name = changes["name"]
    if "region_code" in changes:
        person.region_code = changes["region_code"]
    person.gateway_username = username
    after = person_snapshot(phones, person)
    if after == before and not phone_changed:
        return person
    await session.flush()
    # Announced before the memberships it moves (their events follow it); audited last.
    await RECORDS.outbox.emit(session, _person_changed(person), aggregate_type="person", aggregate_id=person.id,
                              region_code=person.region_code)
    if renamed:
        await repo.rename_in_projects(person.id, person.name)
    if renamed or relinked:
        for member in await MemberRepository(session).current_of_person(person.id):
            member.person_name, member.gateway_username = person.name, person.gateway_username
            await session.flush()
            await _announce_member(session, member)
    changed = diff(before, after)
    if phone_changed:  # two numbers can share a mask: say that it changed all the same
        changed["before"]["phone"], changed["after"]["phone"] = before["phone"], after["phone"]
    await RECORDS.record_change(session, actor, action="person.update", entity_type="person", entity_id=person.id,
                                region_code=person.region_code, before=changed["before"], after=changed["after"])
    return person


# --- positions ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PositionDraft:
    person_id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    started_on: dt.date | None = None
    ended_on: dt.date | None = None


POSITION_UPDATABLE = frozenset({"title", "started_on", "ended_on"})
POSITION_AUDITED = ("person_id", "unit_id", "title", "started_on", "ended_on")


def position_snapshot(position: Position) -> dict[str, Any]:
    return {name: getattr(position, name) for name in POSITION_AUDITED}


async def _record_position(session: AsyncSession, actor: Principal, position: Position, unit: CommandUnit | None,
                           action: str, *, before: dict[str, Any] | None = None, after: dict[str, Any],
                           changed_only: bool = False) -> None:
    event = PositionChanged(id=position.id, person_id=position.person_id, unit_id=position.unit_id,
                            title=position.title, started_on=position.started_on, ended_on=position.ended_on,
                            version=position.version)
    await RECORDS.record_change(session, actor, action=action, entity_type="position", entity_id=position.id,
                                region_code=unit.region_code if unit else None,
                                project_id=unit.project_id if unit else None, before=before, after=after,
                                changed_only=changed_only, event=event)


def _check_dates(start: dt.date | None, end: dt.date | None, path: str) -> None:
    if start is not None and end is not None and end < start:
        raise _invalid(path, "dates_order", "结束日期不能早于开始日期")


async def _visible_person(session: AsyncSession, actor: Principal, person_id: uuid.UUID) -> Person:
    person = await PersonRepository(session).get_in_scope(person_id, actor.scope)
    if person is None:
        raise _invalid("body.person_id", "unknown_person", "人员不存在")
    return person


async def _visible_unit(session: AsyncSession, actor: Principal, unit_id: uuid.UUID,
                        path: str = "body.unit_id") -> CommandUnit:
    unit = await UnitRepository(session).get_in_scope(unit_id, actor.scope)
    if unit is None:
        raise _invalid(path, "unknown_unit", "单位不存在")
    return unit


async def create_position(session: AsyncSession, actor: Principal, draft: PositionDraft) -> Position:
    await _visible_person(session, actor, draft.person_id)
    unit = await _visible_unit(session, actor, draft.unit_id)
    _check_dates(draft.started_on, draft.ended_on, "body.ended_on")
    position = await PositionRepository(session).add(Position(
        person_id=draft.person_id, unit_id=draft.unit_id, title=draft.title, started_on=draft.started_on,
        ended_on=draft.ended_on))
    await _record_position(session, actor, position, unit, "position.create", after=position_snapshot(position))
    return position


async def get_position(session: AsyncSession, actor: Principal, position_id: uuid.UUID) -> Position:
    return await PositionRepository(session).require(position_id, actor.scope)


async def list_positions(session: AsyncSession, actor: Principal, page: PageRequest, *,
                         unit_id: uuid.UUID | None = None, person_id: uuid.UUID | None = None,
                         current: bool = False) -> PageResult[Position]:
    f = PositionFilter(unit_id=unit_id, person_id=person_id, current_on=calendar.today() if current else None)
    return await PositionRepository(session).page(f, actor.scope, page)


async def update_position(session: AsyncSession, actor: Principal, position_id: uuid.UUID, changes: dict[str, Any],
                          expected_version: int | None) -> Position:
    unknown = set(changes) - POSITION_UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    position = await get_position(session, actor, position_id)
    check_version(position.version, expected_version)
    _check_dates(changes.get("started_on", position.started_on), changes.get("ended_on", position.ended_on),
                 "body.ended_on")
    before = position_snapshot(position)
    for name, value in changes.items():
        setattr(position, name, value)
    await session.flush()
    after = position_snapshot(position)
    if after != before:
        unit = await UnitRepository(session).get(position.unit_id)
        await _record_position(session, actor, position, unit, "position.update", before=before, after=after,
                               changed_only=True)
    return position


def position_current(position: Position, today: dt.date | None = None) -> bool:
    day = today or calendar.today()
    started = position.started_on is None or position.started_on <= day
    return started and (position.ended_on is None or position.ended_on > day)


# --- the responsibility chain -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResponsibilityDraft:
    level: ResponsibilityLevel
    person_id: uuid.UUID
    unit_id: uuid.UUID | None = None
    household_count: int | None = None
    household_ids: list[uuid.UUID] = field(default_factory=list)
    note: str | None = None
    id: uuid.UUID | None = None


RESPONSIBILITY_UPDATABLE = frozenset({"person_id", "unit_id", "household_count", "household_ids", "note"})
RESPONSIBILITY_AUDITED = ("level", "person_id", "person_name", "unit_id", "household_count", "household_ids", "note")


def responsibility_snapshot(r: Responsibility) -> dict[str, Any]:
    return {name: getattr(r, name) for name in RESPONSIBILITY_AUDITED}


@dataclass(frozen=True, slots=True)
class Chain:
    """A project's responsibility chain as read: the links, and whether every level is held."""

    project: Project
    links: list[Responsibility]

    def holder(self, level: ResponsibilityLevel) -> Responsibility | None:
        return next((r for r in self.links if r.level == level.value), None)

    @property
    def staff(self) -> list[Responsibility]:
        return [r for r in self.links if r.level == ResponsibilityLevel.staff.value]

    @property
    def households_assigned(self) -> int:
        return sum(r.household_count or 0 for r in self.staff)

    @property
    def missing(self) -> list[ResponsibilityLevel]:
        held = {r.level for r in self.links}
        return [level for level in ResponsibilityLevel if level.value not in held]


async def _announce_responsibility(session: AsyncSession, r: Responsibility, person: Person | None,
                                   removed: bool = False) -> None:
    """The event of a responsibility change. It carries the project but no region, unlike the change's
    audit entry: it is emitted on its own (``record_change`` would give it the audit entry's region)."""
    await RECORDS.outbox.emit(session, ResponsibilityChanged(
        id=r.id, project_id=r.project_id, level=r.level, person_id=r.person_id, person_name=r.person_name,
        gateway_username=person.gateway_username if person else None, unit_id=r.unit_id,
        household_count=r.household_count, household_ids=list(r.household_ids), removed=removed, version=r.version,
    ), aggregate_type="responsibility", aggregate_id=r.id, project_id=r.project_id)


def _share(level: ResponsibilityLevel, count: int | None, ids: list[uuid.UUID]) -> tuple[int | None, list[uuid.UUID]]:
    """A staff member's share: the households listed (their number is the count) or a count."""
    if level is not ResponsibilityLevel.staff:
        if count is not None or ids:
            raise _invalid("body.household_count", "share_staff_only", "只有包干责任人分配住户")
        return None, []
    if len(ids) > MAX_SHARE_HOUSEHOLDS:
        raise _invalid("body.household_ids", "too_many", f"一人包干的住户最多列出 {MAX_SHARE_HOUSEHOLDS} 户")
    if len(set(ids)) != len(ids):
        raise _invalid("body.household_ids", "duplicate_household", "住户列表有重复")
    if ids:
        if count is not None and count != len(ids):
            raise _invalid("body.household_count", "count_mismatch", "包干户数与所列住户数不一致")
        return len(ids), sorted(ids)
    return count, []


async def _check_shares(session: AsyncSession, project: Project, own_id: uuid.UUID | None, count: int | None,
                        ids: list[uuid.UUID]) -> None:
    repo = ResponsibilityRepository(session)
    await repo.lock_project(project.id)
    others_total, others_ids = await repo.other_shares(project.id, own_id)
    twice = sorted(set(ids) & others_ids)
    if twice:
        raise HouseholdsAssignedTwice(extra={"household_ids": [str(h) for h in twice[:50]]})
    total = others_total + (count or 0)
    if project.target_households is not None and total > project.target_households:
        raise SharesExceedTarget(extra={"target_households": project.target_households, "assigned": total})


async def get_chain(session: AsyncSession, actor: Principal, project_id: uuid.UUID) -> Chain:
    project = await project_uc.get_project(session, actor, project_id)
    return Chain(project, await ResponsibilityRepository(session).of_project(project.id))


async def assign_responsibility(session: AsyncSession, actor: Principal, project_id: uuid.UUID,
                                draft: ResponsibilityDraft) -> Responsibility:
    project = await project_uc.get_project(session, actor, project_id)
    level = ResponsibilityLevel(draft.level)
    repo = ResponsibilityRepository(session)
    person = await _visible_person(session, actor, draft.person_id)
    if draft.unit_id is not None:
        await _visible_unit(session, actor, draft.unit_id)
    if level in SINGLE_LEVELS and await repo.level_holder(project.id, level.value) is not None:
        raise LevelTaken()
    if level is ResponsibilityLevel.staff and await repo.staff_of(project.id, person.id) is not None:
        raise StaffAlreadyAssigned()
    count, ids = _share(level, draft.household_count, list(draft.household_ids))
    if level is ResponsibilityLevel.staff:
        await _check_shares(session, project, None, count, ids)
    r = await repo.add(Responsibility(
        id=draft.id or uuid.uuid4(), project_id=project.id, level=level.value, person_id=person.id,
        person_name=person.name, unit_id=draft.unit_id, household_count=count, household_ids=ids, note=draft.note))
    await _announce_responsibility(session, r, person)
    await RECORDS.record_change(session, actor, action="responsibility.create", entity_type="responsibility",
                                entity_id=r.id, region_code=project.region_code, project_id=project.id,
                                after=responsibility_snapshot(r))
    return r


async def get_responsibility(session: AsyncSession, actor: Principal, ident: uuid.UUID) -> Responsibility:
    return await ResponsibilityRepository(session).require(ident, actor.scope)


async def update_responsibility(session: AsyncSession, actor: Principal, ident: uuid.UUID, changes: dict[str, Any],
                                expected_version: int | None) -> Responsibility:
    unknown = set(changes) - RESPONSIBILITY_UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    r = await get_responsibility(session, actor, ident)
    check_version(r.version, expected_version)
    project = await project_uc.get_project(session, actor, r.project_id)
    level = ResponsibilityLevel(r.level)
    repo = ResponsibilityRepository(session)
    person: Person | None = None
    if "person_id" in changes and changes["person_id"] != r.person_id:
        person = await _visible_person(session, actor, changes["person_id"])
        if level is ResponsibilityLevel.staff and await repo.staff_of(project.id, person.id) is not None:
            raise StaffAlreadyAssigned()
    if changes.get("unit_id") is not None:
        await _visible_unit(session, actor, changes["unit_id"])
    share_changed = "household_count" in changes or "household_ids" in changes
    count, ids = r.household_count, list(r.household_ids)
    if share_changed:
        if "household_ids" in changes:
            ids = list(changes["household_ids"] or [])
            count = changes.get("household_count")  # a new list sets the count (or must agree with it)
        else:
            count, ids = changes["household_count"], []  # a bare count replaces a list
        count, ids = _share(level, count, ids)
        if level is ResponsibilityLevel.staff:
            await _check_shares(session, project, r.id, count, ids)
    before = responsibility_snapshot(r)
    if person is not None:
        r.person_id, r.person_name = person.id, person.name
    if "unit_id" in changes:
        r.unit_id = changes["unit_id"]
    if "note" in changes:
        r.note = changes["note"]
    if share_changed:
        r.household_count, r.household_ids = count, ids
    await session.flush()
    after = responsibility_snapshot(r)
    if after != before:
        holder = person or await PersonRepository(session).get(r.person_id)
        await _announce_responsibility(session, r, holder)
        await RECORDS.record_change(session, actor, action="responsibility.update", entity_type="responsibility",
                                    entity_id=r.id, region_code=project.region_code, project_id=project.id,
                                    before=before, after=after, changed_only=True)
    return r


async def remove_responsibility(session: AsyncSession, actor: Principal, ident: uuid.UUID,
                                expected_version: int | None) -> None:
    r = await get_responsibility(session, actor, ident)
    check_version(r.version, expected_version)
    project = await project_uc.get_project(session, actor, r.project_id)
    holder = await PersonRepository(session).get(r.person_id)
    await _announce_responsibility(session, r, holder, removed=True)
    before = responsibility_snapshot(r)
    await session.delete(r)
    await session.flush()
    await RECORDS.record_change(session, actor, action="responsibility.delete", entity_type="responsibility",
                                entity_id=ident, region_code=project.region_code, project_id=project.id,
                                before=before)


# --- task forces --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MemberDraft:
    person_id: uuid.UUID
    title: str = "成员"
    joined_on: dt.date | None = None  # default: today


MEMBER_UPDATABLE = frozenset({"title", "left_on"})
MEMBER_AUDITED = ("person_id", "person_name", "gateway_username", "title", "joined_on", "left_on")


def member_snapshot(m: TaskForceMember) -> dict[str, Any]:
    return {name: getattr(m, name) for name in MEMBER_AUDITED}


async def _announce_member(session: AsyncSession, m: TaskForceMember) -> None:
    """The event of a membership change, emitted on its own: it carries the project but no region
    (unlike the audit entry), and a person's rename or relink announces it without an entry of its own."""
    await RECORDS.outbox.emit(session, TaskForceMemberChanged(
        id=m.id, project_id=m.project_id, task_force_id=m.unit_id, person_id=m.person_id, person_name=m.person_name,
        gateway_username=m.gateway_username, title=m.title, status="joined" if m.left_on is None else "left",
        joined_on=m.joined_on, left_on=m.left_on, version=m.version,
    ), aggregate_type="taskforce_member", aggregate_id=m.id, project_id=m.project_id)


async def get_task_force(session: AsyncSession, actor: Principal, unit_id: uuid.UUID) -> CommandUnit:
    unit = await get_unit(session, actor, unit_id)
    if unit.kind != UnitKind.task_force.value:
        raise UnitNotFound()  # exactly like a missing unit
    return unit


async def add_member(session: AsyncSession, actor: Principal, unit_id: uuid.UUID,
                     draft: MemberDraft) -> TaskForceMember:
    unit = await get_task_force(session, actor, unit_id)
    assert unit.project_id is not None
    if not unit.active:
        raise _invalid("path.unit_id", "task_force_inactive", "该工作专班已撤销")
    person = await _visible_person(session, actor, draft.person_id)
    today = calendar.today()
    joined_on = draft.joined_on or today
    if joined_on > today:
        raise _invalid("body.joined_on", "future_date", "加入日期不能晚于今天")
    repo = MemberRepository(session)
    if await repo.current(unit.id, person.id) is not None:
        raise AlreadyMember()
    member = await repo.add(TaskForceMember(
        unit_id=unit.id, project_id=unit.project_id, person_id=person.id, person_name=person.name,
        gateway_username=person.gateway_username, title=draft.title, joined_on=joined_on))
    await _announce_member(session, member)
    await RECORDS.record_change(session, actor, action="taskforce_member.create", entity_type="taskforce_member",
                                entity_id=member.id, region_code=unit.region_code, project_id=unit.project_id,
                                after=member_snapshot(member))
    return member


async def get_member(session: AsyncSession, actor: Principal, member_id: uuid.UUID) -> TaskForceMember:
    return await MemberRepository(session).require(member_id, actor.scope)


async def list_members(session: AsyncSession, actor: Principal, unit_id: uuid.UUID, page: PageRequest,
                       current: bool | None = None) -> PageResult[TaskForceMember]:
    unit = await get_task_force(session, actor, unit_id)
    return await MemberRepository(session).page(unit.id, current, page)


async def update_member(session: AsyncSession, actor: Principal, member_id: uuid.UUID, changes: dict[str, Any],
                        expected_version: int | None) -> TaskForceMember:
    """Change the title, or end the membership (``left_on``, not later than today)."""
    unknown = set(changes) - MEMBER_UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    member = await get_member(session, actor, member_id)
    check_version(member.version, expected_version)
    if member.left_on is not None:
        raise MembershipEnded()
    left_on = changes.get("left_on")
    if left_on is not None:
        if left_on > calendar.today():
            raise _invalid("body.left_on", "future_date", "离开日期不能晚于今天")
        if left_on < member.joined_on:
            raise _invalid("body.left_on", "dates_order", "离开日期不能早于加入日期")
    before = member_snapshot(member)
    for name, value in changes.items():
        setattr(member, name, value)
    await session.flush()
    after = member_snapshot(member)
    if after != before:
        project = await project_uc.get_project(session, actor, member.project_id)
        await _announce_member(session, member)
        await RECORDS.record_change(session, actor, action="taskforce_member.update", entity_type="taskforce_member",
                                    entity_id=member.id, region_code=project.region_code,
                                    project_id=member.project_id, before=before, after=after, changed_only=True)
    return member
