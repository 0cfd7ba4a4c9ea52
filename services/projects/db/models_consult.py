"""Tables: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households, votes, results."""

from __future__ import annotations

from services.projects.db.models import Base

__all__ = ["Base"]
