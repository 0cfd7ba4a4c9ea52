"""Events the projects service publishes (payload schemas: ``openapi/events/``).
``ProjectChanged`` is defined with the project directory the other services keep."""

from __future__ import annotations

from kernel.project_directory import ProjectChanged

PUBLISHED = [ProjectChanged]

__all__ = ["PUBLISHED", "ProjectChanged"]
