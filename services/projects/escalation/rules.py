"""Escalation rules (预警问责) evaluated over a calendar of weekly figures. Pure.

A rule is data: a metric (signings), a subject (a project or a sub-district), a window
of consecutive complete weeks, a threshold (the figure at or below which a week
counts as stalled: 0 for "zero signings") and an action (summons, loss of award
eligibility). Weeks run Monday to Sunday in the business calendar (Asia/Shanghai);
only complete weeks count, and only from the week the subject started counting
(for signings: the week its signing period began).

A firing belongs to an *episode*: a run of consecutive stalled weeks. A rule fires
once per subject and episode, on the first evaluation after the run reaches its
window; evaluating again (tomorrow, next week, after a restart) finds the same
episode and fires nothing new. When a week above the threshold breaks the run, the
next stall is a new episode and may fire again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from kernel.errors import FieldError
from services.projects.command.vocabulary import ResponsibilityLevel

WEEK = dt.timedelta(days=7)


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week."""
    return day - dt.timedelta(days=day.weekday())


def last_complete_week(today: dt.date) -> dt.date:
    """Monday of the latest week that has fully ended before ``today``."""
    return week_start(today) - WEEK


@dataclass(frozen=True, slots=True)
class Rule:
    key: str
    window_weeks: int
    threshold: int = 0


@dataclass(frozen=True, slots=True)
class Series:
    """A subject's weekly figures: week start (Monday) → value; weeks missing are 0."""

    subject: str
    counting_from: dt.date              # first week that counts (its Monday or any day in it)
    figures: Mapping[dt.date, int]


@dataclass(frozen=True, slots=True)
class Firing:
    rule: str
    subject: str
    episode_start: dt.date              # Monday of the run's first stalled week
    week_ending: dt.date                # Sunday of the week that completed the window
    weeks: int                          # stalled weeks in the run when evaluated


def stalled_run(series: Series, threshold: int, today: dt.date) -> tuple[dt.date, int] | None:
    """The current run of stalled complete weeks ending with the last complete week:
    (Monday of its first week, its length), or None when the last week was not stalled."""
    last = last_complete_week(today)
    first = week_start(series.counting_from)
    if last < first:
        return None
    length = 0
    week = last
    while week >= first and series.figures.get(week, 0) <= threshold:
        length += 1
        week -= WEEK
    if length == 0:
        return None
    return week + WEEK, length


def evaluate(rules: Iterable[Rule], subjects: Iterable[Series], today: dt.date,
             already: Collection[tuple[str, str, dt.date]] = frozenset()) -> list[Firing]:
    """Firings due on ``today``: for each subject and rule whose window the current run has
    reached, unless ``(rule, subject, episode_start)`` is in ``already``."""
    rules = list(rules)
    out: list[Firing] = []
    for series in subjects:
        runs: dict[int, tuple[dt.date, int] | None] = {}
        for rule in rules:
            if rule.threshold not in runs:
                runs[rule.threshold] = stalled_run(series, rule.threshold, today)
            run = runs[rule.threshold]
            if run is None:
                continue
            start, length = run
            if length < rule.window_weeks or (rule.key, series.subject, start) in already:
                continue
            # The week that completed the window: the window-th week of the run.
            ending = start + (rule.window_weeks - 1) * WEEK + dt.timedelta(days=6)
            out.append(Firing(rule.key, series.subject, start, ending, length))
    return out


def allowed_levels() -> str:
    """The levels a rule may concern, each with its label, in Chinese."""
    return "、".join(f"{level.value}（{level.label}）" for level in ResponsibilityLevel)


def unknown_concerns(concerns: Sequence[str], field: str = "body.concerns") -> list[FieldError]:
    """A rule concerns levels of the responsibility chain (``ResponsibilityLevel``): one error per
    value that is not one, naming the allowed values with their labels."""
    known = {level.value for level in ResponsibilityLevel}
    return [FieldError(f"{field}[{i}]", "unknown_level", f"“{value}”不是责任层级，须为：{allowed_levels()}")
            for i, value in enumerate(concerns) if value not in known]
