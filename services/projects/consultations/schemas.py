"""Request and response schemas: consultations (意愿征询, 改造“点单”) (never the ORM models)."""

from __future__ import annotations

import datetime as dt
import uuid
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
)

from kernel.pagination import Page
from kernel.regions import CODE_PATTERN
from kernel.web.schemas import MergePatch
from services.projects.consultations.rules import (
    Channel,
    ConsultationKind,
    ConsultationStatus,
    ThresholdBase,
    format_share,
    parse_share,
)
from services.projects.consultations.service import Overview, threshold_of

# On the wire a status and a channel stay inline string enums, as they always were (a field typed by
# the vocabulary itself would become a named component of the contract): Literals of its members.
StatusField = Literal[ConsultationStatus.draft, ConsultationStatus.open, ConsultationStatus.closed]
ChannelField = Literal[Channel.app, Channel.field, Channel.paper]


def _share(value: Any) -> Any:
    if isinstance(value, Fraction):
        return value
    if not isinstance(value, str):
        raise ValueError("比例应以字符串表示，如 \"3/4\"、\"75%\" 或 \"0.75\"")
    return parse_share(value)


Share = Annotated[
    Fraction,
    BeforeValidator(_share),
    PlainSerializer(format_share, return_type=str),
    WithJsonSchema({"type": "string", "examples": ["3/4"],
                    "description": "比例：分数（2/3）、百分数（90%）或小数（0.9），大于 0 且不超过 1；"
                                   "返回时为最简分数"}),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


def mask_name(name: str) -> str:
    """曹桂兰 → 曹*兰, 曹兰 → 曹*, 欧阳明月 → 欧**月 (personal information in lists)."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Label
    supportive: bool = Field(default=False, description="是否计为支持（如“同意”“满意”）；“点单”各选项单独计票，可不填")
    score: int | None = Field(default=None, ge=0, le=100, description="评分（满意度测评计算平均分时使用）")


class ConsultationCreate(BaseModel):
    """Options, thresholds and the participation requirement default by kind when not given
    (willingness 9/10 of the eligible; menu: participation 2/3 and approval 3/4 of those taking
    part; representatives 2/3 and 2/3; satisfaction 4/5 of votes cast)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID")
    project_id: uuid.UUID
    kind: ConsultationKind
    title: Title
    question: Question
    opens_at: AwareDatetime = Field(description="投票开始时间（须带时区）")
    closes_at: AwareDatetime = Field(description="投票截止时间（须带时区）")
    options: list[OptionIn] | None = Field(default=None, max_length=50, description="不填则按类型使用默认选项")
    support_required: Share | None = Field(default=None, description="支持率阈值")
    threshold_base: ThresholdBase | None = Field(default=None, description="阈值基数：应参与户数或实际参与户数")
    participation_required: Share | None = Field(default=None, description="参与率要求（占应参与户数）；null 为不要求")


class ConsultationUpdate(MergePatch):
    """Only while a draft. Only the fields sent change; ``participation_required: null`` removes
    the participation requirement; ``options`` replaces the whole list."""

    not_null = ("title", "question", "opens_at", "closes_at", "support_required", "threshold_base", "options")

    title: Title | None = None
    question: Question | None = None
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None
    support_required: Share | None = None
    threshold_base: ThresholdBase | None = None
    participation_required: Share | None = None
    options: list[OptionIn] | None = Field(default=None, max_length=50)


class OptionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    position: int
    label: str
    supportive: bool
    score: int | None


class MyVote(BaseModel):
    household_id: uuid.UUID
    voted: bool
    choices: list[uuid.UUID]
    channel: ChannelField | None
    cast_at: dt.datetime | None
    version: int | None = Field(description="选票版本（修改投票时作为 If-Match）")


class ConsultationRead(BaseModel):
    id: uuid.UUID
    project_id: uuid.UUID
    kind: ConsultationKind
    kind_label: str
    title: str
    question: str
    status: StatusField
    status_label: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    approval_voting: bool = Field(description="是否可多选（“点单”）")
    support_required: str = Field(description="支持率阈值（最简分数）")
    threshold_base: ThresholdBase
    threshold_base_label: str
    participation_required: str | None = Field(description="参与率要求（最简分数），null 为不要求")
    options: list[OptionRead]
    eligible: int = Field(description="应参与户数")
    opened_at: dt.datetime | None
    closed_at: dt.datetime | None
    my_vote: MyVote | None = Field(default=None, description="居民本户的投票（仅居民调用时返回）")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @classmethod
    def of(cls, o: Overview) -> ConsultationRead:
        c = o.consultation
        t = threshold_of(c)
        kind = ConsultationKind(c.kind)
        my_vote = None
        if o.my_household_id is not None:
            b = o.my_ballot
            my_vote = MyVote(household_id=o.my_household_id, voted=b is not None,
                             choices=list(b.choices) if b else [], channel=b.channel if b else None,
                             cast_at=b.cast_at if b else None, version=b.version if b else None)
        return cls(
            id=c.id, project_id=c.project_id, kind=kind, kind_label=kind.label, title=c.title,
            question=c.question, status=c.status, status_label=ConsultationStatus(c.status).label,
            opens_at=c.opens_at, closes_at=c.closes_at, approval_voting=kind is ConsultationKind.renovation_menu,
            support_required=format_share(t.support), threshold_base=t.base, threshold_base_label=t.base.label,
            participation_required=format_share(t.participation) if t.participation else None,
            options=[OptionRead.model_validate(x) for x in o.options], eligible=o.eligible, opened_at=c.opened_at,
            closed_at=c.closed_at, my_vote=my_vote, version=c.version, created_at=c.created_at,
            updated_at=c.updated_at)


class ConsultationPage(Page[ConsultationRead]):
    pass


class HouseholdIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    household_id: uuid.UUID = Field(description="户 ID（与征迁服务的户一致）")
    head_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] = Field(
        description="户主姓名")
    address: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="地址/门牌号")
    region_code: Annotated[str, StringConstraints(pattern=CODE_PATTERN)] | None = Field(
        default=None, description="所在社区/村的区划代码")


class HouseholdImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    households: list[HouseholdIn] = Field(min_length=1, max_length=5000)


class ImportResult(BaseModel):
    # Two response schemas are named ImportResult; the contract tells them apart by the module each
    # was first declared in. Pinned, so the published component names (and generated clients) stay.
    __module__ = "services.projects.api.consult_schemas"
    added: int
    updated: int
    eligible: int = Field(description="导入后的应参与户数")


ImportResult.model_rebuild()  # its annotations resolve here, not in the pinned module



class HouseholdRead(BaseModel):
    household_id: uuid.UUID
    head_name: str = Field(description="户主姓名（脱敏）")
    address: str
    region_code: str | None
    source: str = Field(description="imported 导入名单 / relocation 征迁户籍")
    voted: bool
    choices: list[uuid.UUID]
    channel: ChannelField | None
    cast_at: dt.datetime | None


class HouseholdPage(Page[HouseholdRead]):
    pass


class VoteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    choices: list[uuid.UUID] = Field(max_length=50,
                                     description="所选选项 ID；“点单”可多选（也可不选），其他类型只选一项")
    channel: ChannelField = Field(description="app 居民本人 / field 入户代录 / paper 纸质表决票录入")
    paper_form_no: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | None = (
        Field(default=None, description="纸质表决票编号（channel 为 paper 时必填）"))


class BallotLogRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    ballot_version: int
    choices: list[uuid.UUID]
    channel: ChannelField
    paper_form_no: str | None
    cast_by: str
    cast_by_name: str
    cast_at: dt.datetime


class VoteRead(BaseModel):
    consultation_id: uuid.UUID
    household_id: uuid.UUID
    choices: list[uuid.UUID]
    channel: ChannelField
    channel_label: str
    paper_form_no: str | None
    cast_by_name: str
    cast_at: dt.datetime
    version: int
    history: list[BallotLogRead] = Field(default_factory=list, description="投票记录（每次投票或改票）")

    @classmethod
    def of(cls, ballot: Any, history: list[Any] | None = None) -> VoteRead:
        return cls(consultation_id=ballot.consultation_id, household_id=ballot.household_id,
                   choices=list(ballot.choices), channel=ballot.channel, channel_label=Channel(ballot.channel).label,
                   paper_form_no=ballot.paper_form_no, cast_by_name=ballot.cast_by_name, cast_at=ballot.cast_at,
                   version=ballot.version, history=[BallotLogRead.model_validate(h) for h in history or []])


class OptionResultRead(BaseModel):
    option_id: uuid.UUID
    label: str
    count: int
    rate: str = Field(description="占阈值基数的比例（四位小数）")
    share_of_eligible: str
    share_of_votes: str
    adopted: bool | None = Field(description="“点单”：是否达到阈值（其他类型为 null）")


class ResultsRead(BaseModel):
    status: StatusField
    frozen: bool = Field(description="true：征询已结束，结果已固定；false：进行中实时计算")
    computed_at: dt.datetime
    eligible: int
    participants: int
    participation_rate: str = Field(description="参与率（四位小数）")
    participation_required: str | None
    participation_met: bool
    base: ThresholdBase
    support_required: str
    support_count: int | None = Field(description="单选类：选择“支持”类选项的户数")
    support_rate: str | None
    average_score: str | None
    threshold_met: bool
    options: list[OptionResultRead]
