"""Request and response schemas of administrative regions (never the ORM models)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from kernel.pagination import Page
from kernel.regions import RegionLevel
from kernel.web.schemas import RegionCode


class RegionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: RegionCode
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class RegionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


class RegionPage(Page[RegionRead]):
    pass
