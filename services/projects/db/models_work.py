"""Tables: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and supervision
items (督办)."""

from __future__ import annotations

from services.projects.db.models import Base

__all__ = ["Base"]
