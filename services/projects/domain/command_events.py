"""Events published: command structure: command units, people and positions, responsibility chains,
task forces (schemas exported to ``openapi/events/``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar, Literal

from pydantic import Field

from kernel.events import EventPayload


class CommandUnitChanged(EventPayload):
    """A unit of the command structure was registered or changed."""

    event_type: ClassVar[str] = "projects.command_unit.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    kind: str
    name: str
    region_code: str
    parent_id: uuid.UUID | None
    project_id: uuid.UUID | None = Field(description="工作专班所属项目")
    active: bool
    version: int


class PersonChanged(EventPayload):
    """A person of the command structure was registered or changed (never the phone number)."""

    event_type: ClassVar[str] = "projects.person.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    name: str
    region_code: str
    gateway_username: str | None
    version: int


class PositionChanged(EventPayload):
    """Someone took, changed or left a post (职务) in a unit."""

    event_type: ClassVar[str] = "projects.position.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    person_id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    started_on: dt.date | None
    ended_on: dt.date | None
    version: int


class ResponsibilityChanged(EventPayload):
    """A link of a project's responsibility chain was set, changed or removed."""

    event_type: ClassVar[str] = "projects.responsibility.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    level: str
    person_id: uuid.UUID
    person_name: str
    gateway_username: str | None
    unit_id: uuid.UUID | None
    household_count: int | None
    household_ids: list[uuid.UUID] = Field(description="包干的住户（如已列明）")
    removed: bool = Field(description="该责任记录已撤销")
    version: int


class TaskForceMemberChanged(EventPayload):
    """Someone joined or left a project's task force (or their membership changed).
    The gateway follows these to give members the project in their token."""

    event_type: ClassVar[str] = "projects.taskforce.member.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID = Field(description="成员记录 ID")
    project_id: uuid.UUID
    task_force_id: uuid.UUID
    person_id: uuid.UUID
    person_name: str
    gateway_username: str | None = Field(description="关联的系统账号（无则不影响令牌）")
    title: str
    status: Literal["joined", "left"]
    joined_on: dt.date
    left_on: dt.date | None
    version: int = Field(description="成员记录的版本号：消费方只接受更新的版本")


PUBLISHED: list[type[EventPayload]] = [CommandUnitChanged, PersonChanged, PositionChanged, ResponsibilityChanged,
                                      TaskForceMemberChanged]
