"""Tables: land parcels (地块) and their supply (交地, 挂牌, 成交).

A parcel belongs to a project (row-level security follows the project). Its status and the
date of each step live on the row; every step (and the registration) is also kept in
``parcel_history``. Vocabularies are strings here; their values and labels live in
``domain/parcel_rules.py``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from kernel.db.columns import area_column, money_column
from kernel.db.session import TimestampMixin, new_id, utcnow
from services.projects.database import Base

__all__ = ["Base", "Parcel", "ParcelHistory"]


class Parcel(TimestampMixin, Base):
    __tablename__ = "parcel"
    __table_args__ = (
        CheckConstraint("status IN ('cleared', 'handed_over', 'listed', 'sold')", name="status_known"),
        CheckConstraint("area_mu > 0 AND area_m2 > 0", name="area_positive"),
        CheckConstraint("status <> 'sold' OR (sale_price IS NOT NULL AND sold_on IS NOT NULL)",
                        name="sold_with_price"),
        CheckConstraint("status <> 'listed' OR listed_on IS NOT NULL", name="listed_with_date"),
        CheckConstraint("sale_price IS NULL OR sale_price >= 0", name="sale_price_non_negative"),
        CheckConstraint("listing_starting_price IS NULL OR listing_starting_price >= 0",
                        name="starting_price_non_negative"),
        Index("ix_parcel_project_id_code", "project_id", "code"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    area_mu: Mapped[Decimal] = mapped_column(area_column())
    area_m2: Mapped[Decimal] = mapped_column(area_column())
    planned_use: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    cleared_on: Mapped[dt.date] = mapped_column(Date)
    handed_over_on: Mapped[dt.date | None] = mapped_column(Date)
    listed_on: Mapped[dt.date | None] = mapped_column(Date)
    listing_starting_price: Mapped[Decimal | None] = mapped_column(money_column())
    listing_venue: Mapped[str | None] = mapped_column(String(200))
    sold_on: Mapped[dt.date | None] = mapped_column(Date)
    sale_buyer: Mapped[str | None] = mapped_column(String(200))
    sale_price: Mapped[Decimal | None] = mapped_column(money_column())
    note: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012  (SQLAlchemy reads it from the class)


class ParcelHistory(Base):
    """One step of a parcel (registration included): who, when, from which status to which, with the
    step's own details (listing price and venue, buyer and price, the reason of a withdrawal)."""

    __tablename__ = "parcel_history"
    __table_args__ = (
        Index("ix_parcel_history_parcel_id_recorded_at", "parcel_id", "recorded_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)
    parcel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("parcel.id"))
    project_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("project.id"), index=True)
    action: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    on_date: Mapped[dt.date] = mapped_column(Date)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    actor: Mapped[str] = mapped_column(String(200))
    actor_name: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
