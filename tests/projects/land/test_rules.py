"""Land parcel rules: mu ↔ m² with the rounding rule, consistency of a given pair, the status
machine with its dates, and the sale price."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.projects.land.rules import (
    TRANSITIONS,
    AreaError,
    ParcelAction,
    ParcelStatus,
    Refusal,
    StepDates,
    check_sale_price,
    check_transition,
    consistent,
    m2_to_mu,
    mu_to_m2,
    price_per_mu,
    resolve_areas,
)

D = Decimal
TODAY = dt.date(2025, 6, 30)


def test_conversion_rounds_half_up_to_two_places() -> None:
    assert mu_to_m2(D("1")) == D("666.67")
    assert mu_to_m2(D("86.00")) == D("57333.62")
    assert m2_to_mu(D("57333.40")) == D("86.00")  # 85.99967... → 86.00
    assert m2_to_mu(D("3.335")) == D("0.01")  # 0.0050024... rounds up
    assert m2_to_mu(D("3.33")) == D("0.00")
    assert mu_to_m2(D("1"), D("666.6667")) == D("666.67")  # the factor is a parameter (a setting)


def test_resolve_areas_from_either_unit() -> None:
    assert resolve_areas(D("86"), None) == (D("86.00"), D("57333.62"))
    assert resolve_areas(None, D("57333.40")) == (D("86.00"), D("57333.40"))


@pytest.mark.parametrize(("mu", "m2"), [
    (D("86.00"), D("57333.62")),  # m² derived from mu
    (D("86.00"), D("57333.40")),  # mu derived from a surveyed m²
])
def test_consistent_pairs_are_kept_as_given(mu: Decimal, m2: Decimal) -> None:
    assert resolve_areas(mu, m2) == (mu, m2)


@pytest.mark.parametrize(("mu", "m2", "reason"), [
    (D("86.00"), D("58000.00"), "area_inconsistent"),
    (D("86.00"), D("57330.00"), "area_inconsistent"),  # 85.99 mu, and 86 mu is 57333.62 m²
    (None, None, "area_missing"),
    (D("0"), None, "area_not_positive"),
    (None, D("-5"), "area_not_positive"),
    (None, D("3.00"), "area_not_positive"),  # less than 0.01 mu
])
def test_bad_areas_are_refused(mu: Decimal | None, m2: Decimal | None, reason: str) -> None:
    with pytest.raises(AreaError) as err:
        resolve_areas(mu, m2)
    assert err.value.reason == reason


def test_a_pair_one_hundredth_of_a_mu_off_is_refused() -> None:
    with pytest.raises(AreaError) as err:
        resolve_areas(D("86.01"), D("57333.40"))
    assert err.value.reason == "area_inconsistent"
    assert "57340.29" in err.value.message  # says what the m² should be


@given(st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2))
def test_mu_given_is_always_consistent_with_its_derived_m2(mu: Decimal) -> None:
    got_mu, got_m2 = resolve_areas(mu, None)
    assert got_mu == mu
    assert consistent(got_mu, got_m2)
    assert resolve_areas(got_mu, got_m2) == (got_mu, got_m2)


@given(st.decimals(min_value=D("10"), max_value=D("10000000"), places=2))
def test_m2_given_is_always_consistent_with_its_derived_mu(m2: Decimal) -> None:
    got_mu, got_m2 = resolve_areas(None, m2)
    assert got_m2 == m2
    assert consistent(got_mu, got_m2)
    # the derived mu is within half a hundredth of the exact figure
    assert abs(got_mu - m2 / D("666.67")) <= D("0.005")


# --- status machine -------------------------------------------------------------------------------

DATES = StepDates(cleared_on=dt.date(2025, 1, 10), handed_over_on=dt.date(2025, 3, 1),
                  listed_on=dt.date(2025, 5, 20))


@pytest.mark.parametrize(("current", "action", "target"), [
    (ParcelStatus.cleared, ParcelAction.hand_over, ParcelStatus.handed_over),
    (ParcelStatus.handed_over, ParcelAction.list, ParcelStatus.listed),
    (ParcelStatus.listed, ParcelAction.sell, ParcelStatus.sold),
    (ParcelStatus.listed, ParcelAction.withdraw, ParcelStatus.handed_over),
])
def test_allowed_steps(current: ParcelStatus, action: ParcelAction, target: ParcelStatus) -> None:
    assert check_transition(current, action, dt.date(2025, 6, 1), DATES, TODAY) == target


def test_every_other_step_is_refused_no_skipping_no_going_back() -> None:
    refused = 0
    for current in ParcelStatus:
        for action in ParcelAction:
            if (current, action) in TRANSITIONS:
                continue
            outcome = check_transition(current, action, dt.date(2025, 6, 1), DATES, TODAY)
            assert isinstance(outcome, Refusal)
            assert outcome.reason == "transition_not_allowed"
            refused += 1
    assert refused == len(ParcelStatus) * len(ParcelAction) - 4
    sold = check_transition(ParcelStatus.sold, ParcelAction.withdraw, dt.date(2025, 6, 1), DATES, TODAY)
    assert isinstance(sold, Refusal)
    assert "可进行：无" in sold.message
    skip = check_transition(ParcelStatus.cleared, ParcelAction.sell, dt.date(2025, 6, 1), DATES, TODAY)
    assert isinstance(skip, Refusal)
    assert "交地" in skip.message  # names what may be done instead


def test_dates_not_in_the_future_nor_before_the_previous_step() -> None:
    future = check_transition(ParcelStatus.cleared, ParcelAction.hand_over, TODAY + dt.timedelta(days=1),
                              DATES, TODAY)
    assert isinstance(future, Refusal)
    assert future.reason == "date_in_future"
    early = check_transition(ParcelStatus.handed_over, ParcelAction.list, dt.date(2025, 2, 28), DATES, TODAY)
    assert isinstance(early, Refusal)
    assert early.reason == "date_before_previous_step"
    same_day = check_transition(ParcelStatus.handed_over, ParcelAction.list, dt.date(2025, 3, 1), DATES, TODAY)
    assert same_day == ParcelStatus.listed
    assert check_transition(ParcelStatus.listed, ParcelAction.sell, TODAY, DATES, TODAY) == ParcelStatus.sold


def test_sale_price_and_price_per_mu() -> None:
    assert check_sale_price(D("1000000.00"), D("900000.00")) is None
    assert check_sale_price(D("900000.00"), D("900000.00")) is None
    below = check_sale_price(D("899999.99"), D("900000.00"))
    assert below is not None
    assert below.reason == "price_below_start"
    zero = check_sale_price(D("0"), None)
    assert zero is not None
    assert zero.reason == "price_not_positive"
    assert price_per_mu(D("286000000.00"), D("86.00")) == D("3325581.40")  # 3325581.395... half up
    with pytest.raises(ValueError, match="positive"):
        price_per_mu(D("1"), D("0"))
