"""Tables: the stage machine's planned and actual dates and history, read models from other services,
escalation rules and firings."""

from __future__ import annotations

from services.projects.db.models import Base

__all__ = ["Base"]
