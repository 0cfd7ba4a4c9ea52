"""Events the projects service publishes (payload schemas: ``openapi/events/``).
``ProjectChanged`` is defined with the project directory the other services keep;
each area of the domain lists its own in ``<area>_events.py``."""

from __future__ import annotations

from kernel.events import EventPayload
from kernel.project_directory import ProjectChanged
from services.projects.domain import command_events, consult_events, land_events, stages_events, work_events

PUBLISHED: list[type[EventPayload]] = [
    ProjectChanged,
    *command_events.PUBLISHED,
    *stages_events.PUBLISHED,
    *work_events.PUBLISHED,
    *land_events.PUBLISHED,
    *consult_events.PUBLISHED,
]

__all__ = ["PUBLISHED", "ProjectChanged"]
