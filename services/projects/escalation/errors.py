"""Errors: escalation rules and their firings (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class RuleNotFound(NotFound):
    code = "escalation.rule_not_found"
    title_zh = "预警规则不存在"
    title_en = "Escalation rule not found"


class RuleInvalid(Invalid):
    """A rule names something the escalation does not know (field errors say which)."""

    code = "escalation.rule_invalid"
    title_zh = "预警规则内容有误"
    title_en = "The escalation rule is invalid"


class RuleCodeTaken(Conflict):
    code = "escalation.rule_code_taken"
    title_zh = "预警规则编号已存在"
    title_en = "An escalation rule with this code already exists"


class FiringNotFound(NotFound):
    code = "escalation.firing_not_found"
    title_zh = "预警记录不存在"
    title_en = "Escalation firing not found"


class FiringAlreadyResolved(Conflict):
    code = "escalation.already_resolved"
    title_zh = "该预警已处理办结"
    title_en = "The firing is already resolved"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_escalation_rule_code": RuleCodeTaken,
}
