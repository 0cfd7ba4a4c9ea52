"""Column types for money and areas: NUMERIC(16, 2), never float (the values: ``kernel.types``)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Numeric


def money_column() -> Numeric[Decimal]:
    return Numeric(16, 2, asdecimal=True)


def area_column() -> Numeric[Decimal]:
    return Numeric(16, 2, asdecimal=True)
