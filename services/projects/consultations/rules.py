"""Pure vote counting for consultations (意愿征询, 改造“点单”, 居民代表评议, 满意度测评), and
their vocabularies (kinds, threshold bases, statuses, ballot channels, each value with its
Chinese label). No I/O: the use cases load the eligible count, the options and the current
ballots and call ``tally``; the same function gives the live figures while a consultation is
open and the figures frozen at its close.

Rules written here:

- **Participation**: households with a current ballot ÷ eligible households.
- **Support of an option**: ballots naming it ÷ the threshold's base — the eligible
  households (``eligible``) or the ballots cast (``votes_cast``).
- **Single-choice kinds** (willingness round, representatives' review, satisfaction):
  a ballot names exactly one option; the overall support is the ballots naming a
  *supportive* option (同意, 满意, 基本满意...). The threshold is met when the
  participation requirement (if any) is met and the support reaches the share.
- **Approval voting** (renovation menu, 点单): a ballot names any number of options,
  none included (it still counts as taking part); each option is *adopted* when its own
  support reaches the share; the threshold is met when participation is met and at least
  one option is adopted.
- Shares are exact fractions (``2/3`` is two thirds, not 0.6667) and "reaches" means
  ``≥`` (以上 includes the figure itself). Rates shown are ratios rounded half up to four
  places; the comparison never uses the rounded figure.

Defaults per kind (each consultation may set its own): willingness 9/10 of the eligible
households; renovation menu — in the manner of Civil Code art. 278 — participation
≥ 2/3 of the eligible and approval ≥ 3/4 of those taking part (counted per household,
not weighted by floor area); representatives' review participation ≥ 2/3 and support
≥ 2/3 of votes cast; satisfaction 4/5 of votes cast satisfied or fairly satisfied.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from kernel.vocabulary import LabelledEnum

RATE_PLACES = Decimal("0.0001")


class ConsultationKind(LabelledEnum):
    willingness = "willingness", "征收意愿征询"
    renovation_menu = "renovation_menu", "改造内容“点单”"
    representative_review = "representative_review", "居民代表评议"
    satisfaction = "satisfaction", "满意度测评"


class ThresholdBase(LabelledEnum):
    eligible = "eligible", "占全部应参与户数"      # share of the eligible households
    votes_cast = "votes_cast", "占实际参与户数"    # share of the households that took part


class ConsultationStatus(LabelledEnum):
    draft = "draft", "草稿"
    open = "open", "进行中"
    closed = "closed", "已结束"


class Channel(LabelledEnum):
    """How a ballot came in."""

    app = "app", "居民 App"
    field = "field", "入户（工作人员代录）"
    paper = "paper", "纸质表决票（工作人员录入）"


def approval_voting(kind: ConsultationKind) -> bool:
    """Whether a ballot may name several options (the renovation menu)."""
    return kind is ConsultationKind.renovation_menu


@dataclass(frozen=True, slots=True)
class Threshold:
    support: Fraction
    base: ThresholdBase
    participation: Fraction | None = None  # share of the eligible that must take part


@dataclass(frozen=True, slots=True)
class DefaultOption:
    label: str
    supportive: bool
    score: int | None = None


DEFAULT_THRESHOLDS: dict[ConsultationKind, Threshold] = {
    ConsultationKind.willingness: Threshold(Fraction(9, 10), ThresholdBase.eligible),
    ConsultationKind.renovation_menu: Threshold(Fraction(3, 4), ThresholdBase.votes_cast, Fraction(2, 3)),
    ConsultationKind.representative_review: Threshold(Fraction(2, 3), ThresholdBase.votes_cast, Fraction(2, 3)),
    ConsultationKind.satisfaction: Threshold(Fraction(4, 5), ThresholdBase.votes_cast),
}

#: Options a consultation gets when it is created without any (the menu has no default).
DEFAULT_OPTIONS: dict[ConsultationKind, tuple[DefaultOption, ...]] = {
    ConsultationKind.willingness: (DefaultOption("同意", True), DefaultOption("不同意", False)),
    ConsultationKind.representative_review: (DefaultOption("同意", True), DefaultOption("不同意", False),
                                             DefaultOption("弃权", False)),
    ConsultationKind.satisfaction: (DefaultOption("满意", True, 3), DefaultOption("基本满意", True, 2),
                                    DefaultOption("不满意", False, 1)),
    ConsultationKind.renovation_menu: (),
}

_FRACTION = re.compile(r"^\s*(\d{1,6})\s*/\s*(\d{1,6})\s*$")
_PERCENT = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,2})?)\s*%\s*$")
_DECIMAL = re.compile(r"^\s*(0?\.\d{1,4}|1(?:\.0{1,4})?)\s*$")


def parse_share(text: str) -> Fraction:
    """``"3/4"``, ``"75%"`` or ``"0.75"`` → Fraction(3, 4); a share must be in (0, 1]."""
    if m := _FRACTION.match(text):
        if int(m.group(2)) == 0:
            raise ValueError("分母不能为 0")
        value = Fraction(int(m.group(1)), int(m.group(2)))
    elif m := _PERCENT.match(text):
        value = Fraction(Decimal(m.group(1))) / 100
    elif m := _DECIMAL.match(text):
        value = Fraction(Decimal(m.group(1)))
    else:
        raise ValueError("比例应写作 3/4、75% 或 0.75")
    if not 0 < value <= 1:
        raise ValueError("比例须大于 0 且不超过 1")
    return value


def format_share(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def ratio(part: int, whole: int) -> Decimal:
    """``part / whole`` rounded half up to four places (0 when ``whole`` is 0)."""
    if whole <= 0:
        return Decimal("0.0000")
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def reaches(part: int, whole: int, share: Fraction) -> bool:
    """Exactly: ``part / whole ≥ share`` (never with nothing to count)."""
    return whole > 0 and Fraction(part, whole) >= share


# --- ballots --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionSpec:
    id: Hashable
    label: str
    supportive: bool = False
    score: int | None = None


def check_ballot(kind: ConsultationKind, option_ids: Iterable[Hashable],
                 choices: Sequence[Hashable]) -> tuple[str, str] | None:
    """None when the ballot is well formed, else (reason code, Chinese message)."""
    known = set(option_ids)
    if len(set(choices)) != len(choices):
        return "duplicate_choice", "同一选项不能重复选择"
    unknown = [c for c in choices if c not in known]
    if unknown:
        return "unknown_option", "所选选项不属于本次征询"
    if not approval_voting(kind) and len(choices) != 1:
        return "one_choice_required", "本次征询须且只能选择一个选项"
    return None


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OptionResult:
    id: Hashable
    label: str
    count: int
    rate: Decimal            # of the threshold's base
    share_of_eligible: Decimal
    share_of_votes: Decimal
    adopted: bool | None     # approval voting: reached the share on its own; else None


@dataclass(frozen=True, slots=True)
class Results:
    eligible: int
    participants: int
    participation_rate: Decimal
    participation_required: Fraction | None
    participation_met: bool
    base: ThresholdBase
    support_required: Fraction
    support_count: int | None    # single choice: ballots naming a supportive option
    support_rate: Decimal | None
    average_score: Decimal | None
    options: tuple[OptionResult, ...]
    threshold_met: bool


def tally(kind: ConsultationKind, eligible: int, options: Sequence[OptionSpec],
          ballots: Iterable[Iterable[Hashable]], threshold: Threshold) -> Results:
    """Count the current ballots (one per household) against the threshold. Choices that
    name no listed option are ignored (they cannot occur through the use cases)."""
    if eligible < 0:
        raise ValueError("eligible must not be negative")
    counts = {o.id: 0 for o in options}
    participants = 0
    for ballot in ballots:
        participants += 1
        for choice in set(ballot):
            if choice in counts:
                counts[choice] += 1
    if participants > eligible:
        raise ValueError("more ballots than eligible households")
    base = eligible if threshold.base is ThresholdBase.eligible else participants
    participation_met = threshold.participation is None or reaches(participants, eligible, threshold.participation)
    multiple = approval_voting(kind)
    results = tuple(OptionResult(
        id=o.id, label=o.label, count=counts[o.id], rate=ratio(counts[o.id], base),
        share_of_eligible=ratio(counts[o.id], eligible), share_of_votes=ratio(counts[o.id], participants),
        adopted=(participation_met and reaches(counts[o.id], base, threshold.support)) if multiple else None,
    ) for o in options)
    support_count = support_rate = average = None
    if multiple:
        met = participation_met and any(r.adopted for r in results)
    else:
        support_count = sum(counts[o.id] for o in options if o.supportive)
        support_rate = ratio(support_count, base)
        met = participation_met and reaches(support_count, base, threshold.support)
        scored = [(o.score, counts[o.id]) for o in options if o.score is not None]
        votes_scored = sum(n for _, n in scored)
        if scored and votes_scored:
            total = sum(score * n for score, n in scored)
            average = (Decimal(total) / Decimal(votes_scored)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Results(
        eligible=eligible, participants=participants, participation_rate=ratio(participants, eligible),
        participation_required=threshold.participation, participation_met=participation_met,
        base=threshold.base, support_required=threshold.support, support_count=support_count,
        support_rate=support_rate, average_score=average, options=results, threshold_met=met,
    )
