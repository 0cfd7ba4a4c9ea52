"""Events the relocation service promises to publish: signings, progress totals and compensation
schemes (the projects service follows them for stage gates and escalation rules). Producers emit
exactly these payloads and consumers validate with them; ``openapi/events/`` is exported from them.
Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import Field

from kernel.events.envelope import EventPayload
from kernel.types import NonNegativeMoney


class AgreementSigned(EventPayload):
    """A household signed its agreement (签约): one event per signing, with its sequence number."""

    event_type: ClassVar[str] = "relocation.agreement.signed"
    event_version: ClassVar[int] = 1

    agreement_id: uuid.UUID
    project_id: uuid.UUID
    household_id: uuid.UUID
    region_code: str = Field(description="被征收户所在的 12 位行政区划代码（用于按街道统计）")
    signed_at: dt.datetime = Field(description="签约时间（UTC）；业务日期按 Asia/Shanghai 计")
    sequence_no: int = Field(ge=1, description="签约顺序号")


class AgreementRevoked(EventPayload):
    """A signing was undone (the agreement lapsed or was annulled): it no longer counts."""

    event_type: ClassVar[str] = "relocation.agreement.revoked"
    event_version: ClassVar[int] = 1

    agreement_id: uuid.UUID
    project_id: uuid.UUID
    revoked_at: dt.datetime


class ProgressChanged(EventPayload):
    """A project's running totals of households (调查、签约、腾空、拆除、其他方式办结)."""

    event_type: ClassVar[str] = "relocation.progress.changed"
    event_version: ClassVar[int] = 1

    project_id: uuid.UUID
    households_total: int = Field(ge=0)
    surveyed: int = Field(ge=0)
    signed: int = Field(ge=0)
    vacated: int = Field(ge=0)
    demolished: int = Field(ge=0)
    closed_otherwise: int = Field(ge=0, description="以其他方式办结（如补偿决定后经法院裁定执行完毕）")
    as_of: dt.datetime
    version: int = Field(ge=1, description="单调递增：消费方只接受更新的版本")


class SchemeChanged(EventPayload):
    """The compensation scheme (补偿方案) of a project: its budget and public comment window."""

    event_type: ClassVar[str] = "relocation.scheme.changed"
    event_version: ClassVar[int] = 1

    project_id: uuid.UUID
    scheme_id: uuid.UUID
    scheme_version: int = Field(ge=1)
    budget: NonNegativeMoney = Field(description="方案测算的补偿资金总额（元）")
    comment_opened_on: dt.date | None = Field(default=None, description="征求意见开始日期")
    comment_closes_on: dt.date | None = Field(default=None, description="征求意见截止日期")
    stability_assessed_on: dt.date | None = Field(default=None, description="社会稳定风险评估完成日期")
    stability_risk_level: str | None = Field(default=None, description="措施后的风险等级：低/中/高")


#: Every payload the relocation service publishes (``openapi/events/``: exported from these).
PUBLISHED: list[type[EventPayload]] = [AgreementSigned, AgreementRevoked, ProgressChanged, SchemeChanged]
