"""The seed rule over a calendar of weekly figures: zero signings for 2, 3 and 4
consecutive complete weeks fire the three rules exactly once each, on the first
evaluation that sees the run reach their window, and never again for that run."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from services.projects.escalation.rules import (
    Rule,
    Series,
    evaluate,
    last_complete_week,
    stalled_run,
    week_start,
)

D = dt.date
SEED = [Rule("2w", 2), Rule("3w", 3), Rule("4w", 4)]
SIGNING_BEGAN = D(2026, 9, 7)  # a Monday
WEEKS = [SIGNING_BEGAN + dt.timedelta(weeks=i) for i in range(12)]


def series(figures: dict[dt.date, int], subject: str = "P") -> Series:
    return Series(subject=subject, counting_from=SIGNING_BEGAN, figures=figures)


def run_daily(figures: dict[dt.date, int], days: int = 80) -> list[tuple[dt.date, str, dt.date]]:
    """Evaluate every day, as the scheduled job does, remembering what fired."""
    fired: set[tuple[str, str, dt.date]] = set()
    log = []
    for i in range(days):
        today = SIGNING_BEGAN + dt.timedelta(days=i)
        for f in evaluate(SEED, [series(figures)], today, fired):
            fired.add((f.rule, f.subject, f.episode_start))
            log.append((today, f.rule, f.episode_start))
    return log


def test_week_arithmetic() -> None:
    assert week_start(D(2026, 11, 22)) == D(2026, 11, 16)  # Sunday → its Monday
    assert last_complete_week(D(2026, 11, 23)) == D(2026, 11, 16)  # Monday: last week just ended
    assert last_complete_week(D(2026, 11, 22)) == D(2026, 11, 9)   # Sunday: this week not over yet


def test_fires_exactly_at_two_three_and_four_zero_weeks_and_not_again() -> None:
    # Signings in the first two weeks, then none.
    log = run_daily({WEEKS[0]: 5, WEEKS[1]: 3})
    episode = WEEKS[2]
    # Week 3 and 4 are zero: on the Monday after week 4 the 2-week rule fires, and so on.
    assert log == [
        (WEEKS[4], "2w", episode),
        (WEEKS[5], "3w", episode),
        (WEEKS[6], "4w", episode),
    ]


def test_one_zero_week_is_not_a_stall() -> None:
    assert run_daily({w: (0 if i % 2 else 4) for i, w in enumerate(WEEKS)}) == []


def test_a_signing_breaks_the_run_and_a_new_stall_is_a_new_episode() -> None:
    figures = {WEEKS[0]: 2, WEEKS[3]: 1}  # zero in weeks 1–2, a signing in week 3, zero again from week 4
    log = run_daily(figures)
    assert (WEEKS[3], "2w", WEEKS[1]) in log
    assert (WEEKS[6], "2w", WEEKS[4]) in log          # second episode fires the 2-week rule again
    assert [e for e in log if e[2] == WEEKS[1]] == [(WEEKS[3], "2w", WEEKS[1])]  # first episode: only 2w


def test_weeks_before_signing_began_do_not_count() -> None:
    late = Series("P", counting_from=WEEKS[3], figures={})
    assert stalled_run(late, 0, WEEKS[4]) == (WEEKS[3], 1)
    assert evaluate(SEED, [late], WEEKS[4]) == []
    assert [f.rule for f in evaluate(SEED, [late], WEEKS[5])] == ["2w"]


def test_a_restart_that_missed_days_fires_every_due_rule_once() -> None:
    # The job did not run for weeks: on its first run it fires all three, once.
    due = evaluate(SEED, [series({WEEKS[0]: 1})], WEEKS[8])
    assert sorted(f.rule for f in due) == ["2w", "3w", "4w"]
    assert {f.episode_start for f in due} == {WEEKS[1]}
    assert {f.rule: f.week_ending for f in due}["2w"] == WEEKS[2] + dt.timedelta(days=6)
    fired = {(f.rule, f.subject, f.episode_start) for f in due}
    assert evaluate(SEED, [series({WEEKS[0]: 1})], WEEKS[9], fired) == []


def test_threshold_counts_low_weeks_as_stalled() -> None:
    slow = [Rule("slow", 2, threshold=2)]
    assert [f.rule for f in evaluate(slow, [series({WEEKS[0]: 2, WEEKS[1]: 1})], WEEKS[2])] == ["slow"]
    assert evaluate(slow, [series({WEEKS[0]: 3, WEEKS[1]: 1})], WEEKS[2]) == []


def test_subjects_are_independent() -> None:
    a = series({WEEKS[0]: 1}, "A")
    b = series({WEEKS[0]: 1, WEEKS[1]: 1, WEEKS[2]: 1}, "B")
    assert {f.subject for f in evaluate(SEED, [a, b], WEEKS[3])} == {"A"}


@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=20))
def test_each_rule_fires_at_most_once_per_run_and_only_after_its_window(values: list[int]) -> None:
    figures = {SIGNING_BEGAN + dt.timedelta(weeks=i): v for i, v in enumerate(values)}
    log = run_daily(figures, days=7 * (len(values) + 1))
    keys = [(rule, start) for _, rule, start in log]
    assert len(keys) == len(set(keys))
    for today, rule, start in log:
        window = int(rule[0])
        # every week of the window was zero, and the window had ended before "today"
        for k in range(window):
            assert figures.get(start + dt.timedelta(weeks=k), 0) == 0
        assert today == start + dt.timedelta(weeks=window)  # the first day the window is complete
