"""Backward scheduling (倒排工期): a pure function of the target date, the steps and today."""

from __future__ import annotations

import datetime as dt

import pytest

from services.projects.tasks.rules import ScheduleError, Step, chain, plan_backwards

D = dt.date
TODAY = D(2026, 11, 22)


def dates(schedule, key: str) -> tuple[dt.date, dt.date]:
    step = next(s for s in schedule.steps if s.key == key)
    return step.start, step.end


def test_a_chain_in_calendar_days_ends_on_the_target() -> None:
    steps = [Step("survey", 30), Step("scheme", 30, after=("survey",)), Step("signing", 40, after=("scheme",))]
    s = plan_backwards(D(2027, 3, 31), steps, TODAY)
    assert dates(s, "signing") == (D(2027, 2, 20), D(2027, 3, 31))  # 40 days, both ends counted
    assert dates(s, "scheme") == (D(2027, 1, 21), D(2027, 2, 19))   # ends the day before signing starts
    assert dates(s, "survey") == (D(2026, 12, 22), D(2027, 1, 20))
    assert s.start == D(2026, 12, 22)
    assert s.feasible
    assert s.late_steps == ()
    assert [p.key for p in s.steps] == ["survey", "scheme", "signing"]  # the order given


def test_a_one_day_step_starts_and_ends_on_the_same_day() -> None:
    s = plan_backwards(D(2027, 1, 15), [Step("a", 1)], TODAY)
    assert dates(s, "a") == (D(2027, 1, 15), D(2027, 1, 15))


def test_a_step_waiting_for_several_ends_before_the_earliest_of_its_successors() -> None:
    # appraisal and scheme both precede signing; scheme also precedes publicity, which starts later.
    steps = [
        Step("appraisal", 10),
        Step("scheme", 5),
        Step("signing", 20, after=("appraisal", "scheme")),
        Step("publicity", 3, after=("scheme",)),
    ]
    s = plan_backwards(D(2027, 6, 30), steps, TODAY)
    assert dates(s, "signing") == (D(2027, 6, 11), D(2027, 6, 30))
    assert dates(s, "publicity") == (D(2027, 6, 28), D(2027, 6, 30))  # nothing waits for it: ends on target
    # scheme must end before both signing (11 June) and publicity (28 June) start: the 10th.
    assert dates(s, "scheme") == (D(2027, 6, 6), D(2027, 6, 10))
    assert dates(s, "appraisal") == (D(2027, 6, 1), D(2027, 6, 10))


def test_working_days_skip_the_national_day_holiday() -> None:
    # 2026: Mid-Autumn on Friday 25 September, National Day 1–7 October, Saturday 10 October a working day.
    s = plan_backwards(D(2026, 10, 9), [Step("publicity", 3, working_days=True)], D(2026, 9, 1))
    assert dates(s, "publicity") == (D(2026, 9, 30), D(2026, 10, 9))  # 30 Sep, 8 Oct, 9 Oct

    # A target inside the holiday: a working-day step ends on the last working day before it.
    s = plan_backwards(D(2026, 10, 5), [Step("filing", 2, working_days=True)], D(2026, 9, 1))
    assert dates(s, "filing") == (D(2026, 9, 29), D(2026, 9, 30))

    # Calendar-day and working-day steps mixed in one chain across the holiday.
    steps = [Step("review", 5, working_days=True), Step("notice", 7, after=("review",))]
    s = plan_backwards(D(2026, 10, 14), steps, D(2026, 9, 1))
    assert dates(s, "notice") == (D(2026, 10, 8), D(2026, 10, 14))
    # review ends on the working day before 8 October (30 September) and has 5 working days:
    # 30, 29, 28 September, then 24 and 23 September (25–27 are the Mid-Autumn weekend).
    assert dates(s, "review") == (D(2026, 9, 23), D(2026, 9, 30))


def test_the_adjusted_saturday_counts_as_a_working_day() -> None:
    s = plan_backwards(D(2026, 10, 12), [Step("a", 2, working_days=True)], D(2026, 9, 1))
    assert dates(s, "a") == (D(2026, 10, 10), D(2026, 10, 12))  # Saturday 10 Oct works; Sunday 11th does not


def test_a_plan_that_must_start_before_today_is_flagged_not_refused() -> None:
    steps = [Step("filing", 60), Step("auction", 30)]
    s = plan_backwards(D(2027, 1, 31), list(chain_steps(steps)), TODAY)
    assert dates(s, "auction") == (D(2027, 1, 2), D(2027, 1, 31))
    assert dates(s, "filing") == (D(2026, 11, 3), D(2027, 1, 1))
    assert not s.feasible
    assert s.late_steps == ("filing",)
    assert [p.starts_before_today for p in s.steps] == [True, False]


def chain_steps(steps: list[Step]) -> list[Step]:
    afters = chain([s.key for s in steps], [None] * len(steps))
    return [Step(s.key, s.duration, s.working_days, a) for s, a in zip(steps, afters, strict=True)]


def test_chain_defaults_to_the_step_before() -> None:
    assert chain(["a", "b", "c"], [None, None, ()]) == [(), ("a",), ()]
    assert chain(["a", "b", "c"], [None, ("a",), ("a", "b")]) == [(), ("a",), ("a", "b")]


@pytest.mark.parametrize(("steps", "reason", "keys"), [
    ([Step("a", 3, after=("b",)), Step("b", 3, after=("a",))], "cycle", ("a", "b")),
    ([Step("a", 3, after=("a",))], "cycle", ("a",)),
    ([Step("a", 3, after=("c",)), Step("b", 3, after=("a",)), Step("c", 3, after=("b",)), Step("d", 1, after=("a",))],
     "cycle", ("a", "b", "c")),
    ([Step("a", 3, after=("x",))], "unknown_step", ("x",)),
    ([Step("a", 3), Step("a", 4)], "duplicate_step", ("a",)),
    ([Step("a", 0)], "duration", ("a",)),
    ([], "empty", ()),
])
def test_impossible_plans_are_refused(steps: list[Step], reason: str, keys: tuple[str, ...]) -> None:
    with pytest.raises(ScheduleError) as caught:
        plan_backwards(D(2027, 3, 31), steps, TODAY)
    assert caught.value.reason == reason
    assert caught.value.keys == keys


def test_independent_steps_all_end_on_the_target() -> None:
    s = plan_backwards(D(2027, 3, 31), [Step("a", 10, after=()), Step("b", 3, after=())], TODAY)
    assert dates(s, "a")[1] == dates(s, "b")[1] == D(2027, 3, 31)
