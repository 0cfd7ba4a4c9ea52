"""Events the projects service promises to publish, and the vocabularies that cross service
boundaries with them. The projects service emits exactly these payloads; consumers (relocation,
housing, funding, the gateway) validate with them; ``openapi/events/`` is exported from them.
Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from kernel.events.envelope import EventPayload
from kernel.types import Area, LandMu, NonNegativeMoney
from kernel.vocabulary import LabelledEnum

# --- Vocabularies that cross service boundaries with the events --------------------------------------


# Vocabularies carry no docstring: it would become the published schema's description.


# The type of a renewal project (DOMAIN.md §1).
class ProjectType(LabelledEnum):
    shantytown = "shantytown", "棚户区改造"
    urban_village = "urban_village", "城中村改造"
    old_compound = "old_compound", "老旧小区改造"
    expropriation = "expropriation", "征收拆迁"
    retain_upgrade = "retain_upgrade", "保留提升"
    historic_block = "historic_block", "历史文化街区"
    low_efficiency_land = "low_efficiency_land", "低效用地再开发"


# Whose land a project is on: state land or collective land.
class LandPath(LabelledEnum):
    state = "state", "国有土地"
    collective = "collective", "集体土地"


# A project's stages, in order (DOMAIN.md §1); the stage machine says which a type passes through.
class Stage(LabelledEnum):
    reserve = "reserve", "谋划储备"
    approved = "approved", "立项"
    consultation = "consultation", "征询"
    decision = "decision", "征收决定"
    survey = "survey", "调查登记"
    signing = "signing", "签约"
    moving = "moving", "搬迁"
    demolition = "demolition", "拆除"
    cleared = "cleared", "清零"
    land_handed_over = "land_handed_over", "交地"
    land_supplied = "land_supplied", "供地/出让"
    construction = "construction", "开工"
    completed = "completed", "竣工"
    delivered = "delivered", "交付"


class ProjectChanged(EventPayload):
    """A project was registered or changed (stage included)."""

    event_type: ClassVar[str] = "projects.project.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    code: str
    name: str
    type: str
    land_path: str
    region_code: str
    stage: str
    version: int = Field(description="项目的版本号：消费方只接受更新的版本")


# --- The command structure: units, people, positions, responsibility chains, task forces -----------------


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


# --- Stages and escalation -------------------------------------------------------------------------------


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


# --- Tasks, the problem ledger and supervision -----------------------------------------------------------


class TaskChanged(EventPayload):
    """A task was created, planned, reported on, or changed (status and dates included), or one of its
    documents was uploaded or withdrawn (作废)."""

    event_type: ClassVar[str] = "projects.task.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    change: str = Field(description="created | updated | planned | progress | document | document_withdrawn")
    title: str
    kind: str
    status: str
    progress: int
    owner_name: str | None
    owner_unit_name: str | None
    planned_start: dt.date | None
    planned_end: dt.date | None
    actual_end: dt.date | None
    version: int


class ProblemChanged(EventPayload):
    """A problem was registered, worked on, changed, closed (销号), reopened or escalated, or one of its
    documents was uploaded or withdrawn (作废)."""

    event_type: ClassVar[str] = "projects.problem.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    change: str = Field(description="registered | progress | changed | closed | reopened | escalated | document"
                                    " | document_withdrawn")
    category: str
    title: str
    status: str
    deadline: dt.date
    closed_on: dt.date | None
    episode: int
    version: int


class SupervisionChanged(EventPayload):
    """A supervision item (督办) was opened, reported on, changed or closed with its result."""

    event_type: ClassVar[str] = "projects.supervision.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    change: str = Field(description="opened | progress | changed | closed")
    source: str
    subject: str
    status: str
    deadline: dt.date
    closed_on: dt.date | None
    problem_id: uuid.UUID | None
    version: int


# --- Land parcels and their supply -----------------------------------------------------------------------


class ParcelChanged(EventPayload):
    """A parcel was registered, changed or moved a step (交地, 挂牌, 流拍/撤牌, 成交)."""

    event_type: ClassVar[str] = "projects.parcel.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    code: str
    name: str
    region_code: str
    area_mu: LandMu
    area_m2: Area
    planned_use: str
    status: str = Field(description="cleared 已清零 / handed_over 已交地 / listed 挂牌 / sold 成交")
    cleared_on: dt.date
    handed_over_on: dt.date | None
    listed_on: dt.date | None
    sold_on: dt.date | None
    version: int = Field(description="地块的版本号：消费方只接受更新的版本")


class ParcelSold(EventPayload):
    """Land-sale income (土地出让收入) for funding: a parcel's sale, once, with its price."""

    event_type: ClassVar[str] = "projects.parcel.sold"
    event_version: ClassVar[int] = 1

    parcel_id: uuid.UUID
    parcel_code: str
    project_id: uuid.UUID
    region_code: str
    amount: NonNegativeMoney = Field(description="成交价（元）")
    sale_date: dt.date = Field(description="成交日期（Asia/Shanghai）")
    buyer: str = Field(description="竞得人")
    area_mu: LandMu
    price_per_mu: NonNegativeMoney = Field(description="亩均价（元/亩）")


# --- Resident consultations ------------------------------------------------------------------------------


class ConsultationChanged(EventPayload):
    """A consultation was created, changed or opened (its close is ``projects.consultation.closed``)."""

    event_type: ClassVar[str] = "projects.consultation.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    kind: str = Field(description="willingness / renovation_menu / representative_review / satisfaction")
    title: str
    status: str = Field(description="draft / open / closed")
    opens_at: dt.datetime
    closes_at: dt.datetime
    version: int = Field(description="征询的版本号：消费方只接受更新的版本")


class BallotCast(EventPayload):
    """A household's ballot was cast or changed (names are not carried; the ballot log keeps who)."""

    event_type: ClassVar[str] = "projects.consultation.ballot_cast"
    event_version: ClassVar[int] = 1

    consultation_id: uuid.UUID
    project_id: uuid.UUID
    household_id: uuid.UUID
    choices: list[uuid.UUID]
    channel: str = Field(description="app 居民 App / field 入户 / paper 纸质")
    cast_at: dt.datetime
    ballot_version: int = Field(description="该户选票的版本号：首次为 1，每次改投加 1")


class OptionFigures(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    option_id: uuid.UUID
    label: str
    count: int
    rate: Decimal = Field(description="占阈值基数的比例（四位小数）")
    adopted: bool | None = Field(description="“点单”：该选项是否达到阈值；其他类型为 null")


class ConsultationClosed(EventPayload):
    """A consultation closed; its results are final."""

    event_type: ClassVar[str] = "projects.consultation.closed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    project_id: uuid.UUID
    region_code: str
    kind: str
    title: str
    closed_at: dt.datetime
    eligible: int = Field(description="应参与户数")
    participants: int = Field(description="实际参与户数")
    participation_rate: Decimal
    participation_required: str | None = Field(description="参与率要求（分数，如 2/3）")
    participation_met: bool
    base: str = Field(description="eligible 占应参与户数 / votes_cast 占实际参与户数")
    support_required: str = Field(description="支持率要求（分数，如 9/10）")
    support_count: int | None
    support_rate: Decimal | None
    average_score: Decimal | None
    threshold_met: bool
    options: list[OptionFigures]


#: Every payload the projects service publishes (``openapi/events/`` is exported from these).
PUBLISHED: list[type[EventPayload]] = [
    ProjectChanged,
    CommandUnitChanged,
    PersonChanged,
    PositionChanged,
    ResponsibilityChanged,
    TaskForceMemberChanged,
    StageChanged,
    StagePlanChanged,
    EscalationFired,
    EscalationResolved,
    TaskChanged,
    ProblemChanged,
    SupervisionChanged,
    ParcelChanged,
    ParcelSold,
    ConsultationChanged,
    ConsultationClosed,
    BallotCast,
]
