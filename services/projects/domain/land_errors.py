"""Errors: land parcels (地块) and their supply (交地, 挂牌, 成交) (no HTTP: the kernel maps kinds to
statuses)."""

from __future__ import annotations

from kernel.errors import DomainError

#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {}
