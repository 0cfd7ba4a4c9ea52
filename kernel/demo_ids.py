"""Ids of demo records, derived from stable names so that every service's demo
data (and the gateway's demo users) can name the same project or household
without sharing tables."""

from __future__ import annotations

import uuid

DEMO_NAMESPACE = uuid.UUID("6f1c2a6e-5d1b-4c1e-9a53-0a9d3c1b7e42")


def demo_project_id(code: str) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, code)


def demo_household_id(project_code: str, seq: int) -> uuid.UUID:
    """The ``seq``-th demo household (1-based) of a demo project."""
    return uuid.uuid5(DEMO_NAMESPACE, f"household:{project_code}:{seq:04d}")
