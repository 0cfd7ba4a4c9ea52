"""Events published: land parcels (地块) and their supply (交地, 挂牌, 成交) (schemas exported to
``openapi/events/``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import Field

from kernel.events import EventPayload
from kernel.types import Area, LandMu, NonNegativeMoney


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


PUBLISHED: list[type[EventPayload]] = [ParcelChanged, ParcelSold]
