"""Request and response schemas: land parcels (地块) (never the ORM models)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from kernel.pagination import Page
from kernel.types import Area, LandMu, NonNegativeMoney
from kernel.web.schemas import MergePatch, RegionCode, attributes_of
from services.projects.land.rules import (
    ParcelAction,
    ParcelStatus,
    PlannedUse,
    WithdrawalReason,
    price_per_mu,
)

ParcelCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
                       Field(description="地块编号（如宗地号、挂牌编号）", examples=["YYHS2024-015"])]
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class ParcelCreate(BaseModel):
    """Give the area in mu or in m² (the other is derived, rounded half up to two places), or both
    when they agree under that rule (1 亩 = 666.67 平方米 by default)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID（离线采集时使用）")
    project_id: uuid.UUID
    code: ParcelCode
    name: Text200
    region_code: RegionCode | None = Field(default=None, description="所在区划；不填则取项目所在区划")
    area_mu: LandMu | None = Field(default=None, description="面积（亩）")
    area_m2: Area | None = Field(default=None, description="面积（平方米）")
    planned_use: PlannedUse = Field(description="规划用途")
    cleared_on: dt.date = Field(description="清零日期（地块上房屋全部拆除、具备交地条件之日）")
    note: Note | None = None


class ParcelUpdate(MergePatch):
    """Only the fields sent change. Sending one area unit derives the other again."""

    not_null = ("code", "name", "region_code", "area_mu", "area_m2", "planned_use")

    code: ParcelCode | None = None
    name: Text200 | None = None
    region_code: RegionCode | None = None
    area_mu: LandMu | None = None
    area_m2: Area | None = None
    planned_use: PlannedUse | None = None
    note: Note | None = None


class ParcelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    project_id: uuid.UUID
    code: str
    name: str
    region_code: str
    area_mu: LandMu
    area_m2: Area
    planned_use: PlannedUse
    planned_use_label: str = Field(description="规划用途（中文）")
    status: ParcelStatus
    status_label: str = Field(description="状态（中文）")
    cleared_on: dt.date
    handed_over_on: dt.date | None
    listed_on: dt.date | None
    listing_starting_price: NonNegativeMoney | None = Field(description="挂牌起始价（元）")
    listing_venue: str | None = Field(description="交易场所")
    sold_on: dt.date | None
    sale_buyer: str | None = Field(description="竞得人")
    sale_price: NonNegativeMoney | None = Field(description="成交价（元）")
    price_per_mu: NonNegativeMoney | None = Field(description="亩均成交价（元/亩，四舍五入到分）")
    note: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _derived(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        values["planned_use_label"] = PlannedUse(data.planned_use).label
        values["status_label"] = ParcelStatus(data.status).label
        values["price_per_mu"] = (price_per_mu(data.sale_price, data.area_mu)
                                  if data.sale_price is not None else None)
        return values


class ParcelPage(Page[ParcelRead]):
    pass


class _Step(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: dt.date = Field(description="这一步的日期（不能晚于今天，不能早于上一步）")
    note: Note | None = None


class HandOver(_Step):
    """交地: cleared → handed over."""

    action: Literal[ParcelAction.hand_over]


class ListForSale(_Step):
    """挂牌: handed over → listed."""

    action: Literal[ParcelAction.list]
    starting_price: NonNegativeMoney = Field(description="挂牌起始价（元）")
    venue: Text200 = Field(description="交易场所（如益阳市公共资源交易中心）")


class Withdraw(_Step):
    """流拍 / 撤牌: listed → back to handed over (the listing's details go to the history)."""

    action: Literal[ParcelAction.withdraw]
    reason: WithdrawalReason = Field(description="failed_auction 流拍 / withdrawn 撤牌")


class Sell(_Step):
    """成交: listed → sold; emits the land-sale income event for funding."""

    action: Literal[ParcelAction.sell]
    buyer: Text200 = Field(description="竞得人")
    price: NonNegativeMoney = Field(description="成交价（元），不低于挂牌起始价")


ParcelStepBody = Annotated[HandOver | ListForSale | Withdraw | Sell, Field(discriminator="action")]


class ParcelHistoryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    action: str
    action_label: str
    from_status: ParcelStatus | None
    to_status: ParcelStatus
    on_date: dt.date
    details: dict[str, Any]
    actor_name: str
    recorded_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _labels(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        action = data.action
        values["action_label"] = ParcelAction(action).label if action in ParcelAction.__members__ else "登记"
        details = dict(data.details or {})
        if details.get("reason") in WithdrawalReason.__members__:
            details["reason_label"] = WithdrawalReason(details["reason"]).label
        values["details"] = details
        return values


class ParcelHistoryList(BaseModel):
    items: list[ParcelHistoryRead]
