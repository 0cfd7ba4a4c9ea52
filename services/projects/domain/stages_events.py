"""Events published: the stage machine's planned and actual dates and history, read models from other
services, escalation rules and firings (schemas exported to ``openapi/events/``)."""

from __future__ import annotations

from kernel.events import EventPayload

PUBLISHED: list[type[EventPayload]] = []
