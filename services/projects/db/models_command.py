"""Tables: command structure: command units, people and positions, responsibility chains, task forces."""

from __future__ import annotations

from services.projects.db.models import Base

__all__ = ["Base"]
