"""Events the funding service promises to publish. Producers emit exactly these payloads and
consumers validate with them; ``openapi/events/`` is exported from them. Pure: no I/O."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar

from pydantic import Field

from kernel.events.envelope import EventPayload
from kernel.types import Money


class DedicatedAccountChanged(EventPayload):
    """The balance of a project's dedicated compensation account (征收补偿专户)."""

    event_type: ClassVar[str] = "funding.dedicated_account.changed"
    event_version: ClassVar[int] = 1

    project_id: uuid.UUID
    balance: Money
    as_of: dt.datetime
    version: int = Field(ge=1, description="单调递增：消费方只接受更新的版本")


#: Every payload the funding service publishes (``openapi/events/``: exported from these).
PUBLISHED: list[type[EventPayload]] = [DedicatedAccountChanged]
