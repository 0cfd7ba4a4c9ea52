"""Events the housing service promises to publish (none yet). Producers emit exactly these
payloads and consumers validate with them; ``openapi/events/`` is exported from them. Pure: no I/O."""

from __future__ import annotations

from kernel.events.envelope import EventPayload

PUBLISHED: list[type[EventPayload]] = []
