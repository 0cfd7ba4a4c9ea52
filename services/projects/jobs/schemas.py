"""Schemas: the scheduled jobs and their last runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel


class JobRead(BaseModel):
    name: str
    label: str
    runs: int
    last_started_at: dt.datetime | None
    last_finished_at: dt.datetime | None
    last_result: dict[str, Any] | None
    last_error: str | None


class JobList(BaseModel):
    items: list[JobRead]
