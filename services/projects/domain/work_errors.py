"""Errors: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and supervision
items (督办) (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import DomainError

#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {}
