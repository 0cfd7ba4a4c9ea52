"""Errors: supervision items (督办) opened at meetings or for overdue problems (no HTTP: the kernel maps
kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class SupervisionNotFound(NotFound):
    code = "supervision.not_found"
    title_zh = "督办事项不存在"
    title_en = "Supervision item not found"


class SupervisionIdTaken(Conflict):
    code = "supervision.id_taken"
    title_zh = "督办事项 ID 已存在"
    title_en = "A supervision item with this id already exists"


class SupervisionInvalid(Invalid):
    code = "supervision.invalid"
    title_zh = "督办事项数据不符合规则"
    title_en = "The supervision item breaks a rule"


class SupervisionClosed(Conflict):
    code = "supervision.closed"
    title_zh = "督办事项已办结"
    title_en = "The supervision item is closed"


class AlreadyEscalated(Conflict):
    code = "supervision.already_escalated"
    title_zh = "该问题本次逾期已转督办"
    title_en = "This overdue episode of the problem is already under supervision"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "pk_supervision_item": SupervisionIdTaken,
    "uq_supervision_item_problem_id_problem_episode": AlreadyEscalated,
}
