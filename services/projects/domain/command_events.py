"""Events published: command structure: command units, people and positions, responsibility chains,
task forces (schemas exported to ``openapi/events/``)."""

from __future__ import annotations

from kernel.events import EventPayload

PUBLISHED: list[type[EventPayload]] = []
