"""A circuit breaker per downstream service (pure: time is passed in).

Closed: calls go through; ``failures`` consecutive failures open it. Open:
calls are refused at once until ``reset_s`` has passed. Then one trial call
is let through (half-open): success closes the breaker, failure reopens it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Breaker:
    failures: int = 5
    reset_s: float = 5.0
    _consecutive: int = 0
    _opened_at: float | None = None
    _trial_running: bool = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._trial_running else "open"

    def allow(self, now: float) -> bool:
        if self._opened_at is None:
            return True
        if now - self._opened_at >= self.reset_s and not self._trial_running:
            self._trial_running = True
            return True
        return False

    def record_success(self) -> None:
        self._consecutive = 0
        self._opened_at = None
        self._trial_running = False

    def record_failure(self, now: float) -> None:
        self._consecutive += 1
        if self._trial_running or self._consecutive >= self.failures:
            self._opened_at = now
            self._trial_running = False
