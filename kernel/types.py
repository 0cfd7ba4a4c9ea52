"""Money and area: ``Decimal`` with two places, never float.

In JSON both travel as strings (``"1234.50"``) so no client rounds them
through a binary float. In PostgreSQL they are NUMERIC. Land is also given in
mu (亩); the conversion factor is a setting of the projects domain.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema

TWO_PLACES = Decimal("0.01")


def quantize2(value: Decimal) -> Decimal:
    """Round half up to the fen / hundredth of a square metre."""
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _parse_decimal(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError("金额和面积须以字符串或整数表示，不接受浮点数")
    if isinstance(value, str):
        try:
            return Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError("不是合法的数值") from exc
    return value


def _two_places(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise ValueError("不是合法的数值")
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError("最多保留两位小数")
    if abs(value) >= Decimal("1e14"):
        raise ValueError("数值过大")
    return quantize2(value)


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("不能为负数")
    return value


_DECIMAL_STRING_SCHEMA = {"type": "string", "pattern": r"^-?[0-9]{1,14}(\.[0-9]{1,2})?$"}


Money = Annotated[
    Decimal,
    BeforeValidator(_parse_decimal),
    AfterValidator(_two_places),
    PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json"),
    WithJsonSchema({**_DECIMAL_STRING_SCHEMA, "description": "金额（元），两位小数", "examples": ["1280000.00"]}),
]


"""Yuan, two places; may be negative (refunds, reversals)."""


NonNegativeMoney = Annotated[Money, AfterValidator(_non_negative),
                             WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,14}(\.[0-9]{1,2})?$",
                                             "description": "金额（元），两位小数，非负",
                                             "examples": ["1280000.00"]})]


def _non_negative_decimal(description: str, example: str) -> Any:
    """A non-negative two-place decimal travelling as a string."""
    return Annotated[
        Decimal,
        BeforeValidator(_parse_decimal),
        AfterValidator(_two_places),
        AfterValidator(_non_negative),
        PlainSerializer(lambda d: f"{d:.2f}", return_type=str, when_used="json"),
        WithJsonSchema({"type": "string", "pattern": r"^[0-9]{1,14}(\.[0-9]{1,2})?$",
                        "description": description, "examples": [example]}),
    ]


Area = _non_negative_decimal("面积（平方米），两位小数", "86.50")


"""Square metres, two places, non-negative."""


LandMu = _non_negative_decimal("土地面积（亩），两位小数", "120.50")


"""Mu (亩), two places, non-negative."""
