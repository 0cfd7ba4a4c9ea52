"""Backward scheduling (倒排工期): from a target date and the steps that lead to it, each step's latest
planned start and end. Pure: no I/O (the official working-day calendar is data, ``kernel.calendar``).

Rules:
- A step lasts ``duration`` days, counted inclusively: a 1-day step starts and ends on the same day. In
  working days (工作日), weekends and public holidays do not count and the adjusted working weekends
  (调休) do; a working-day step starts and ends on working days.
- A step ``after`` other steps starts only when all of them have ended: each of them must end before
  the step starts (at the latest the day before; in working days, the working day before).
- Steps nothing waits for end on the target date (or on the last working day before it).
- Dependencies must form no cycle, and name known steps; these are refused (``ScheduleError``).
- A plan that would have to start before today is not refused: its steps are flagged, so the
  commander sees at once which steps are already late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.calendar import add_days, is_working_day


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    duration: int
    working_days: bool = False
    after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PlannedStep:
    key: str
    start: dt.date
    end: dt.date
    starts_before_today: bool


@dataclass(frozen=True, slots=True)
class Schedule:
    target: dt.date
    steps: tuple[PlannedStep, ...]  # in the order given

    @property
    def start(self) -> dt.date:
        return min(s.start for s in self.steps)

    @property
    def late_steps(self) -> tuple[str, ...]:
        """Keys of the steps that would have to start before today."""
        return tuple(s.key for s in self.steps if s.starts_before_today)

    @property
    def feasible(self) -> bool:
        return not self.late_steps


class ScheduleError(ValueError):
    """A plan that cannot be computed: ``reason`` is cycle | unknown_step | duplicate_step | duration |
    empty; ``keys`` names the steps concerned."""

    def __init__(self, reason: str, keys: Sequence[str] = ()) -> None:
        super().__init__(f"{reason}: {', '.join(keys)}" if keys else reason)
        self.reason = reason
        self.keys = tuple(keys)


def _last_day_on_or_before(day: dt.date, working: bool) -> dt.date:
    if not working or is_working_day(day):
        return day
    return add_days(day, -1, working=True)


def _start_for(end: dt.date, duration: int, working: bool) -> dt.date:
    return add_days(end, -(duration - 1), working=working)


def plan_backwards(target: dt.date, steps: Sequence[Step], today: dt.date) -> Schedule:
    """Each step's latest start and end so that everything is done by ``target``."""
    if not steps:
        raise ScheduleError("empty")
    by_key: dict[str, Step] = {}
    duplicates = []
    for step in steps:
        if step.key in by_key:
            duplicates.append(step.key)
        by_key[step.key] = step
    if duplicates:
        raise ScheduleError("duplicate_step", sorted(set(duplicates)))
    bad = [s.key for s in steps if s.duration < 1]
    if bad:
        raise ScheduleError("duration", bad)
    unknown = sorted({k for s in steps for k in s.after if k not in by_key})
    if unknown:
        raise ScheduleError("unknown_step", unknown)

    # Successors (the steps that wait for a step), then Kahn's algorithm from the sinks backwards:
    # a step is planned once every step waiting for it has its start.
    successors: dict[str, set[str]] = {s.key: set() for s in steps}
    for s in steps:
        for before in s.after:
            successors[before].add(s.key)
    waiting = {key: len(succ) for key, succ in successors.items()}
    ready = [s.key for s in steps if waiting[s.key] == 0]
    starts: dict[str, dt.date] = {}
    ends: dict[str, dt.date] = {}
    while ready:
        key = ready.pop()
        step = by_key[key]
        latest = target if not successors[key] else min(starts[k] for k in successors[key]) - dt.timedelta(days=1)
        end = _last_day_on_or_before(latest, step.working_days)
        ends[key] = end
        starts[key] = _start_for(end, step.duration, step.working_days)
        for before in set(step.after):
            waiting[before] -= 1
            if waiting[before] == 0:
                ready.append(before)
    if len(starts) != len(steps):
        raise ScheduleError("cycle", [s.key for s in steps if s.key not in starts])
    return Schedule(target=target, steps=tuple(
        PlannedStep(key=s.key, start=starts[s.key], end=ends[s.key], starts_before_today=starts[s.key] < today)
        for s in steps))


def chain(keys: Sequence[str], explicit: Sequence[tuple[str, ...] | None]) -> list[tuple[str, ...]]:
    """Dependencies of an ordered list: a step with none given (``None``) waits for the one before it;
    an explicit tuple (possibly empty) is kept as given."""
    result: list[tuple[str, ...]] = []
    for i, given in enumerate(explicit):
        if given is not None:
            result.append(tuple(given))
        else:
            result.append((keys[i - 1],) if i > 0 else ())
    return result
