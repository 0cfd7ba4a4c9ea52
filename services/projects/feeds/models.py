"""Tables: the read models the projects service keeps of other services' events
(``contracts.relocation``, ``contracts.funding``): signings by week, relocation's running
totals, the compensation scheme and the dedicated account's balance. The stage gates and
the escalation rules read them."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import Date, DateTime, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.columns import money_column
from services.projects.database import Base


class SigningRef(Base):
    """One signing reported by relocation (``relocation.agreement.signed``), for weekly figures."""

    __tablename__ = "signing_ref"
    __table_args__ = (Index("ix_signing_ref_project_week", "project_id", "week_start"),
                      Index("ix_signing_ref_region_week", "region_code", "week_start",
                            postgresql_ops={"region_code": "varchar_pattern_ops"}))

    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    project_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    region_code: Mapped[str] = mapped_column(String(12))
    signed_on: Mapped[dt.date] = mapped_column(Date)
    week_start: Mapped[dt.date] = mapped_column(Date)
    revoked: Mapped[bool] = mapped_column(default=False)


class ProgressRef(Base):
    """Relocation's running totals for a project (``relocation.progress.changed``)."""

    __tablename__ = "progress_ref"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    households_total: Mapped[int]
    surveyed: Mapped[int]
    signed: Mapped[int]
    vacated: Mapped[int]
    demolished: Mapped[int]
    closed_otherwise: Mapped[int]
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int]


class SchemeRef(Base):
    """The project's compensation scheme as relocation last described it (``relocation.scheme.changed``)."""

    __tablename__ = "scheme_ref"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    scheme_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    scheme_version: Mapped[int]
    budget: Mapped[Decimal] = mapped_column(money_column())
    comment_opened_on: Mapped[dt.date | None] = mapped_column(Date)
    comment_closes_on: Mapped[dt.date | None] = mapped_column(Date)
    stability_assessed_on: Mapped[dt.date | None] = mapped_column(Date)
    stability_risk_level: Mapped[str | None] = mapped_column(String(16))


class DedicatedAccountRef(Base):
    """Funding's balance of the project's dedicated compensation account."""

    __tablename__ = "dedicated_account_ref"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    balance: Mapped[Decimal] = mapped_column(money_column())
    as_of: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int]
