from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError

from kernel.types import Area, Money, NonNegativeMoney, quantize2


class Sheet(BaseModel):
    amount: Money
    area: Area | None = None
    paid: NonNegativeMoney | None = None


def test_money_round_trips_as_a_two_place_string() -> None:
    s = Sheet(amount="1280000.5")
    assert s.amount == Decimal("1280000.50")
    assert s.model_dump(mode="json")["amount"] == "1280000.50"
    assert Sheet(amount=12).model_dump(mode="json")["amount"] == "12.00"
    assert Sheet(amount="-3.10").amount == Decimal("-3.10")


@pytest.mark.parametrize("bad", [0.1, "1.005", "abc", "NaN", "Infinity", "1e20"])
def test_money_refuses_floats_extra_places_and_non_numbers(bad: object) -> None:
    with pytest.raises(ValidationError):
        Sheet(amount=bad)


def test_area_and_paid_are_non_negative() -> None:
    with pytest.raises(ValidationError):
        Sheet(amount="1", area="-0.01")
    with pytest.raises(ValidationError):
        Sheet(amount="1", paid="-1")
    assert Sheet(amount="1", area="86.5").model_dump(mode="json")["area"] == "86.50"


def test_rounding_is_half_up_to_the_fen() -> None:
    assert quantize2(Decimal("2.345")) == Decimal("2.35")
    assert quantize2(Decimal("2.344")) == Decimal("2.34")
    assert quantize2(Decimal("-2.345")) == Decimal("-2.35")


def test_json_schema_says_string() -> None:
    props = Sheet.model_json_schema()["properties"]
    assert props["amount"]["type"] == "string"
