"""Events published: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and
supervision items (督办) (schemas exported to ``openapi/events/``)."""

from __future__ import annotations

from kernel.events import EventPayload

PUBLISHED: list[type[EventPayload]] = []
