"""Events published: stage moves and plans, escalation firings and their resolution."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import Field

from kernel.events import EventPayload


class StageChanged(EventPayload):
    """A project moved to another stage (forward through its gate, or back where the rules allow)."""

    event_type: ClassVar[str] = "projects.stage.changed"
    event_version: ClassVar[int] = 1

    project_id: uuid.UUID
    region_code: str
    from_stage: str
    to_stage: str
    kind: str = Field(description="advance（推进）或 return（回退）")
    on: dt.date = Field(description="进入新阶段的业务日期")
    project_version: int


class StagePlanChanged(EventPayload):
    """A project's planned stage dates changed."""

    event_type: ClassVar[str] = "projects.stage_plan.changed"
    event_version: ClassVar[int] = 1

    project_id: uuid.UUID
    region_code: str
    stages: list[dict[str, str | None]] = Field(description="[{stage, planned_start, planned_end}]")


class EscalationFired(EventPayload):
    """An escalation rule fired for a project or a sub-district (e.g. summons after zero signings)."""

    event_type: ClassVar[str] = "projects.escalation.fired"
    event_version: ClassVar[int] = 1

    firing_id: uuid.UUID
    rule_code: str
    rule_name: str
    action: str
    subject_kind: str
    subject_key: str
    project_id: uuid.UUID | None
    region_code: str
    episode_start: dt.date
    week_ending: dt.date
    weeks: int
    people: list[dict[str, str | None]]


class EscalationResolved(EventPayload):
    event_type: ClassVar[str] = "projects.escalation.resolved"
    event_version: ClassVar[int] = 1

    firing_id: uuid.UUID
    project_id: uuid.UUID | None
    region_code: str
    resolved_at: dt.datetime
    note: str


PUBLISHED: list[type[EventPayload]] = [StageChanged, StagePlanChanged, EscalationFired, EscalationResolved]
