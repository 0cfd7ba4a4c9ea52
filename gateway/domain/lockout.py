"""The lockout rule (pure: the failures and the time are passed in).

A username is locked once ``failures`` failed logins fall inside the last
``window``; it opens again when the oldest of those leaves the window. Failed
logins are counted by a keyed hash of the normalized username, whether or not
such a user exists, so a lockout says nothing about who has an account.

A successful login does not wipe earlier failures: they keep counting until
they leave the window. Clearing them would forgive an attacker's guesses at an
account every time its owner signs in (and would cost a write on every login);
the price is that a user who mistyped four times and then got in has fewer
tries left until those failures leave the window.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)

    def __post_init__(self) -> None:
        if self.failures < 1 or self.window <= dt.timedelta(0):
            raise ValueError("lockout needs at least one failure and a positive window")

    def counted_since(self, now: dt.datetime) -> dt.datetime:
        """Failures after this instant count."""
        return now - self.window

    def retry_after(self, failures: Sequence[dt.datetime], now: dt.datetime) -> int | None:
        """Seconds until the next attempt is allowed, or None when it is allowed now.

        ``failures`` are the times of failed logins for one username, in any order."""
        recent = sorted(t for t in failures if now - self.window < t <= now)
        if len(recent) < self.failures:
            return None
        # The count drops below the limit when the (n - limit)-th failure leaves the window.
        opens_at = recent[len(recent) - self.failures] + self.window
        return max(1, math.ceil((opens_at - now).total_seconds()))
