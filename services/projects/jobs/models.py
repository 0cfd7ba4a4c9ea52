"""Tables: the last run of each scheduled job."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import DateTime, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from services.projects.database import Base


class JobRun(Base):
    """The last run of each scheduled job (one row per job)."""

    __tablename__ = "job_run"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    runs: Mapped[int] = mapped_column(default=0)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    last_error: Mapped[str | None] = mapped_column(Text)
