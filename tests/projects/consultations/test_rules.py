"""Vote counting: participation, support per option and overall, thresholds as exact shares
(2/3 is two thirds), the participation requirement, approval voting, ballots' shape."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.projects.consultations.rules import (
    DEFAULT_THRESHOLDS,
    ConsultationKind,
    OptionSpec,
    Threshold,
    ThresholdBase,
    check_ballot,
    format_share,
    parse_share,
    ratio,
    reaches,
    tally,
)

K = ConsultationKind
YES, NO = OptionSpec("yes", "同意", supportive=True), OptionSpec("no", "不同意")
MENU = [OptionSpec("lift", "加装电梯"), OptionSpec("drain", "雨污分流"), OptionSpec("park", "停车位改造")]


def ballots(*choices: str) -> list[list[str]]:
    return [[c for c in b.split("+") if c] for b in choices]


def test_willingness_default_is_nine_tenths_of_the_eligible() -> None:
    threshold = DEFAULT_THRESHOLDS[K.willingness]
    assert (threshold.support, threshold.base, threshold.participation) == (Fraction(9, 10), ThresholdBase.eligible,
                                                                            None)
    r = tally(K.willingness, 10, [YES, NO], ballots(*["yes"] * 9), threshold)
    assert (r.eligible, r.participants, r.participation_rate) == (10, 9, Decimal("0.9000"))
    assert (r.support_count, r.support_rate, r.threshold_met) == (9, Decimal("0.9000"), True)
    # 8 of 10 eligible support, even if everyone who voted supports: not enough
    r = tally(K.willingness, 10, [YES, NO], ballots(*["yes"] * 8), threshold)
    assert r.threshold_met is False
    assert r.options[0].share_of_votes == Decimal("1.0000")
    assert r.options[0].rate == Decimal("0.8000")


def test_votes_cast_base_counts_only_those_who_took_part() -> None:
    threshold = Threshold(Fraction(3, 4), ThresholdBase.votes_cast)
    r = tally(K.representative_review, 100, [YES, NO], ballots(*["yes"] * 3, "no"), threshold)
    assert r.support_rate == Decimal("0.7500")
    assert r.threshold_met is True
    assert r.participation_rate == Decimal("0.0400")


def test_two_thirds_is_exactly_two_thirds() -> None:
    # 2 of 3 reaches 2/3 although 0.6667 > 2/3; 6666 of 10000 does not although it rounds to 0.6666
    assert reaches(2, 3, Fraction(2, 3))
    assert not reaches(6666, 10000, Fraction(2, 3))
    assert reaches(6667, 10000, Fraction(2, 3))
    assert ratio(2, 3) == Decimal("0.6667")
    assert not reaches(0, 0, Fraction(1, 2))


def test_old_compound_menu_needs_two_thirds_taking_part_and_three_quarters_approving() -> None:
    threshold = DEFAULT_THRESHOLDS[K.renovation_menu]
    assert (threshold.participation, threshold.support, threshold.base) == (Fraction(2, 3), Fraction(3, 4),
                                                                            ThresholdBase.votes_cast)
    # 12 eligible, 8 take part (exactly 2/3): lift approved by 6 of 8 (3/4), drain by 5, park by none,
    # one household approves nothing (still takes part)
    votes = ballots("lift+drain", "lift+drain", "lift+drain", "lift+drain", "lift+drain", "lift", "", "drain")
    r = tally(K.renovation_menu, 12, MENU, votes, threshold)
    assert (r.participants, r.participation_met) == (8, True)
    by = {o.id: o for o in r.options}
    assert (by["lift"].count, by["lift"].rate, by["lift"].adopted) == (6, Decimal("0.7500"), True)
    assert (by["drain"].count, by["drain"].adopted) == (6, True)
    assert (by["park"].count, by["park"].adopted) == (0, False)
    assert by["lift"].share_of_eligible == Decimal("0.5000")
    assert r.threshold_met is True
    assert r.support_count is None  # no overall support figure for a menu
    # one household fewer: 7 of 12 take part, below 2/3: nothing is adopted
    r = tally(K.renovation_menu, 12, MENU, votes[:7], threshold)
    assert r.participation_met is False
    assert not any(o.adopted for o in r.options)
    assert r.threshold_met is False


def test_satisfaction_counts_supportive_options_and_averages_scores() -> None:
    options = [OptionSpec("s", "满意", True, 3), OptionSpec("b", "基本满意", True, 2),
               OptionSpec("u", "不满意", False, 1)]
    r = tally(K.satisfaction, 20, options, ballots("s", "s", "s", "b", "u"), DEFAULT_THRESHOLDS[K.satisfaction])
    assert r.support_count == 4
    assert r.support_rate == Decimal("0.8000")
    assert r.threshold_met is True  # 4/5 reached exactly
    assert r.average_score == Decimal("2.40")


def test_nobody_voted() -> None:
    r = tally(K.willingness, 0, [YES, NO], [], DEFAULT_THRESHOLDS[K.willingness])
    assert (r.participants, r.participation_rate, r.support_rate, r.threshold_met) == (0, Decimal("0.0000"),
                                                                                       Decimal("0.0000"), False)
    assert r.average_score is None
    with pytest.raises(ValueError, match="more ballots"):
        tally(K.willingness, 1, [YES, NO], ballots("yes", "no"), DEFAULT_THRESHOLDS[K.willingness])


@pytest.mark.parametrize(("kind", "choices", "reason"), [
    (K.willingness, [], "one_choice_required"),
    (K.willingness, ["yes", "no"], "one_choice_required"),
    (K.willingness, ["maybe"], "unknown_option"),
    (K.renovation_menu, ["lift", "lift"], "duplicate_choice"),
    (K.renovation_menu, ["lift", "pool"], "unknown_option"),
])
def test_bad_ballots(kind: ConsultationKind, choices: list[str], reason: str) -> None:
    known = ["yes", "no", "lift", "drain"]
    refusal = check_ballot(kind, known, choices)
    assert refusal is not None
    assert refusal[0] == reason


def test_good_ballots() -> None:
    assert check_ballot(K.willingness, ["yes", "no"], ["no"]) is None
    assert check_ballot(K.renovation_menu, ["lift", "drain"], ["lift", "drain"]) is None
    assert check_ballot(K.renovation_menu, ["lift", "drain"], []) is None  # approves nothing, still takes part


@pytest.mark.parametrize(("text", "share"), [
    ("3/4", Fraction(3, 4)), ("2/3", Fraction(2, 3)), ("90%", Fraction(9, 10)), ("0.9", Fraction(9, 10)),
    (".75", Fraction(3, 4)), ("1", Fraction(1)), ("66.67%", Fraction(6667, 10000)),
])
def test_parse_share(text: str, share: Fraction) -> None:
    assert parse_share(text) == share
    assert parse_share(format_share(share)) == share


@pytest.mark.parametrize("text", ["0", "0/3", "4/3", "3/0", "110%", "1.5", "abc", "", "-1/2"])
def test_bad_shares(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011  (the message is Chinese and varies)
        parse_share(text)


# --- properties -----------------------------------------------------------------------------------

menus = st.lists(st.frozensets(st.sampled_from(["lift", "drain", "park"])), max_size=60)
shares = st.fractions(min_value=Fraction(1, 100), max_value=1)


@given(ballots_=menus, extra=st.integers(min_value=0, max_value=40), support=shares,
       participation=st.none() | shares, base=st.sampled_from(list(ThresholdBase)))
def test_menu_figures_are_consistent(ballots_: list[frozenset[str]], extra: int, support: Fraction,
                                     participation: Fraction | None, base: ThresholdBase) -> None:
    eligible = len(ballots_) + extra
    r = tally(K.renovation_menu, eligible, MENU, ballots_, Threshold(support, base, participation))
    assert r.participants == len(ballots_) <= r.eligible
    assert Decimal(0) <= r.participation_rate <= Decimal(1)
    for o in r.options:
        assert o.count == sum(1 for b in ballots_ if o.id in b)
        assert o.count <= r.participants
        whole = eligible if base is ThresholdBase.eligible else r.participants
        assert o.adopted == (r.participation_met and whole > 0 and Fraction(o.count, whole) >= support)
        assert abs(o.rate - (Decimal(o.count) / Decimal(whole) if whole else Decimal(0))) <= Decimal("0.00005")
    assert r.threshold_met == (r.participation_met and any(o.adopted for o in r.options))


@given(yes=st.integers(0, 300), no=st.integers(0, 300), absent=st.integers(0, 300), support=shares)
def test_willingness_met_exactly_when_the_share_is_reached(yes: int, no: int, absent: int, support: Fraction) -> None:
    eligible = yes + no + absent
    r = tally(K.willingness, eligible, [YES, NO], [["yes"]] * yes + [["no"]] * no,
              Threshold(support, ThresholdBase.eligible))
    assert r.support_count == yes
    assert r.threshold_met == (eligible > 0 and Fraction(yes, eligible) >= support)
    # more support never loses a met threshold
    if no:
        more = tally(K.willingness, eligible, [YES, NO], [["yes"]] * (yes + 1) + [["no"]] * (no - 1),
                     Threshold(support, ThresholdBase.eligible))
        assert more.threshold_met or not r.threshold_met
