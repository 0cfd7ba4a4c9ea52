"""Tables: land parcels (地块) and their supply (交地, 挂牌, 成交)."""

from __future__ import annotations

from services.projects.db.models import Base

__all__ = ["Base"]
