"""Errors: stages, escalation rules and firings, scheduled jobs (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class StageMoveRefused(Conflict):
    """The target is not the next stage (or the project does not pass through it)."""

    code = "stage.move_refused"
    title_zh = "阶段不能这样推进"
    title_en = "The project cannot move to that stage"


class StageGateUnmet(Conflict):
    """The gate of the next stage does not hold: the problem lists every unmet condition."""

    code = "stage.gate_unmet"
    title_zh = "进入该阶段的前置条件尚未满足"
    title_en = "The conditions for entering the stage are not met"


class StagePlanInvalid(Invalid):
    code = "stage.plan_invalid"
    title_zh = "阶段计划日期有误"
    title_en = "The stage plan is invalid"


class RuleNotFound(NotFound):
    code = "escalation.rule_not_found"
    title_zh = "预警规则不存在"
    title_en = "Escalation rule not found"


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


class JobNotFound(NotFound):
    code = "job.not_found"
    title_zh = "定时作业不存在"
    title_en = "Scheduled job not found"


class JobBusy(Conflict):
    code = "job.busy"
    title_zh = "该作业正在运行，请稍后再试"
    title_en = "The job is running; try again later"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_escalation_rule_code": RuleCodeTaken,
}
