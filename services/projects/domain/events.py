"""Events the projects service publishes (payload schemas: ``openapi/events/``)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field

from kernel.events import EventPayload


class ProjectChanged(EventPayload):
    """A project was registered or changed (stage included): the others' read model."""

    event_type: ClassVar[str] = "projects.project.changed"
    event_version: ClassVar[int] = 1

    id: uuid.UUID
    code: str
    name: str
    type: str
    land_path: str
    region_code: str
    stage: str
    version: int = Field(description="项目的版本号：消费方只接受更新的版本")


PUBLISHED = [ProjectChanged]
