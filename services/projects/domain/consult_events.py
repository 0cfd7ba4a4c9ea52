"""Events published: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households,
votes, results (schemas exported to ``openapi/events/``)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from kernel.events import EventPayload


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


PUBLISHED: list[type[EventPayload]] = [ConsultationChanged, ConsultationClosed, BallotCast]
