"""Events published: land parcels (地块) and their supply (交地, 挂牌, 成交) (schemas exported to
``openapi/events/``)."""

from __future__ import annotations

from kernel.events import EventPayload

PUBLISHED: list[type[EventPayload]] = []
