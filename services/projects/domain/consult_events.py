"""Events published: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households,
votes, results (schemas exported to ``openapi/events/``)."""

from __future__ import annotations

from kernel.events import EventPayload

PUBLISHED: list[type[EventPayload]] = []
