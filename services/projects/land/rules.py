"""Pure rules for land parcels (地块): their vocabularies (statuses, planned uses, steps, reasons
for a withdrawal, each value with its Chinese label), mu ↔ m² conversion with its rounding rule,
the status machine (清零 → 交地 → 挂牌 → 成交, with a withdrawn listing 流拍/撤牌 going back
to 交地), the dates of the steps, and the price per mu. No I/O.

Rounding rule (the one place it is written): a figure derived from the other unit is
rounded **half up to two places** (the hundredth of a mu, the hundredth of a square
metre). A pair given together is consistent when either figure equals the other one
converted and rounded that way: ``m2 == round2(mu × factor)`` or
``mu == round2(m2 ÷ factor)``. A survey in m² and its mu rounded to two places is
therefore accepted, and so is a mu figure with its m² computed from it.
The factor (666.67 m² per mu by default) is a setting of the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from kernel.vocabulary import LabelledEnum

TWO_PLACES = Decimal("0.01")
DEFAULT_SQUARE_METRES_PER_MU = Decimal("666.67")


def round2(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


class ParcelStatus(LabelledEnum):
    cleared = "cleared", "已清零"
    handed_over = "handed_over", "已交地"
    listed = "listed", "挂牌"
    sold = "sold", "成交"


class PlannedUse(LabelledEnum):
    residential = "residential", "住宅"
    commercial = "commercial", "商业"
    commercial_residential = "commercial_residential", "商住"
    industrial = "industrial", "工业"
    public_service = "public_service", "公共管理与公共服务"
    infrastructure = "infrastructure", "交通与市政设施"
    green_space = "green_space", "绿地与广场"


class ParcelAction(LabelledEnum):
    hand_over = "hand_over", "交地"
    list = "list", "挂牌"
    withdraw = "withdraw", "流拍/撤牌"  # back to handed over
    sell = "sell", "成交"


#: The only moves there are: from a status, by an action, to a status.
TRANSITIONS: dict[tuple[ParcelStatus, ParcelAction], ParcelStatus] = {
    (ParcelStatus.cleared, ParcelAction.hand_over): ParcelStatus.handed_over,
    (ParcelStatus.handed_over, ParcelAction.list): ParcelStatus.listed,
    (ParcelStatus.listed, ParcelAction.withdraw): ParcelStatus.handed_over,
    (ParcelStatus.listed, ParcelAction.sell): ParcelStatus.sold,
}


class WithdrawalReason(LabelledEnum):
    failed_auction = "failed_auction", "流拍"
    withdrawn = "withdrawn", "撤牌"


# --- areas ----------------------------------------------------------------------------------------


class AreaError(ValueError):
    """The areas given cannot describe one parcel; ``reason`` says why (stable code)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def mu_to_m2(mu: Decimal, factor: Decimal = DEFAULT_SQUARE_METRES_PER_MU) -> Decimal:
    return round2(mu * factor)


def m2_to_mu(m2: Decimal, factor: Decimal = DEFAULT_SQUARE_METRES_PER_MU) -> Decimal:
    return round2(m2 / factor)


def consistent(mu: Decimal, m2: Decimal, factor: Decimal = DEFAULT_SQUARE_METRES_PER_MU) -> bool:
    return m2 == mu_to_m2(mu, factor) or mu == m2_to_mu(m2, factor)


def resolve_areas(mu: Decimal | None, m2: Decimal | None,
                  factor: Decimal = DEFAULT_SQUARE_METRES_PER_MU) -> tuple[Decimal, Decimal]:
    """(mu, m²) from either or both; raises ``AreaError`` when neither is given, one is not
    positive, or the pair disagrees beyond the rounding rule."""
    if factor <= 0:
        raise ValueError("the conversion factor must be positive")
    if mu is None and m2 is None:
        raise AreaError("area_missing", "请填写面积（亩或平方米）")
    for value in (mu, m2):
        if value is not None and value <= 0:
            raise AreaError("area_not_positive", "面积须大于 0")
    if mu is not None and m2 is not None:
        mu, m2 = round2(mu), round2(m2)
        if not consistent(mu, m2, factor):
            expected = mu_to_m2(mu, factor)
            raise AreaError("area_inconsistent",
                            f"亩数与平方米数不一致：{mu} 亩应为 {expected} 平方米（1 亩 = {factor} 平方米）")
        return mu, m2
    if mu is not None:
        mu = round2(mu)
        return mu, mu_to_m2(mu, factor)
    assert m2 is not None
    m2 = round2(m2)
    derived = m2_to_mu(m2, factor)
    if derived <= 0:
        raise AreaError("area_not_positive", "面积过小，折合不足 0.01 亩")
    return derived, m2


def price_per_mu(price: Decimal, mu: Decimal) -> Decimal:
    """Yuan per mu, rounded half up to the fen."""
    if mu <= 0:
        raise ValueError("area must be positive")
    return round2(price / mu)


# --- the status machine ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepDates:
    """The dates of the steps taken so far (None: not taken)."""

    cleared_on: dt.date | None
    handed_over_on: dt.date | None = None
    listed_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str  # stable code
    message: str  # Chinese


def next_status(current: ParcelStatus, action: ParcelAction) -> ParcelStatus | None:
    return TRANSITIONS.get((current, action))


def check_transition(current: ParcelStatus, action: ParcelAction, on: dt.date, dates: StepDates,
                     today: dt.date) -> ParcelStatus | Refusal:
    """The status the action leads to, or why it may not be taken: no skipping, no going back
    except a withdrawn listing, no date in the future, none before the step it follows."""
    target = next_status(current, action)
    if target is None:
        allowed = "、".join(a.label for (s, a) in TRANSITIONS if s == current) or "无"
        return Refusal("transition_not_allowed",
                       f"地块当前为“{current.label}”，不能{action.label}（可进行：{allowed}）")
    if on > today:
        return Refusal("date_in_future", f"{action.label}日期不能晚于今天（{today.isoformat()}）")
    previous = {
        ParcelAction.hand_over: ("清零", dates.cleared_on),
        ParcelAction.list: ("交地", dates.handed_over_on),
        ParcelAction.withdraw: ("挂牌", dates.listed_on),
        ParcelAction.sell: ("挂牌", dates.listed_on),
    }[action]
    label, before = previous
    if before is not None and on < before:
        return Refusal("date_before_previous_step",
                       f"{action.label}日期不能早于{label}日期（{before.isoformat()}）")
    return target


def check_sale_price(price: Decimal, starting_price: Decimal | None) -> Refusal | None:
    """A listing sells at its starting price or above (挂牌出让: 不低于起始价); a price must be positive."""
    if price <= 0:
        return Refusal("price_not_positive", "成交价须大于 0")
    if starting_price is not None and price < starting_price:
        return Refusal("price_below_start", f"成交价不能低于挂牌起始价（{starting_price} 元）")
    return None
