"""Errors: tasks (任务清单), approvals and backward-scheduled plans (倒排工期) (no HTTP: the kernel maps
kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class TaskNotFound(NotFound):
    code = "task.not_found"
    title_zh = "任务不存在"
    title_en = "Task not found"


class TaskIdTaken(Conflict):
    code = "task.id_taken"
    title_zh = "任务 ID 已存在"
    title_en = "A task with this id already exists"


class TaskInvalid(Invalid):
    code = "task.invalid"
    title_zh = "任务数据不符合规则"
    title_en = "The task breaks a rule"


class TaskClosed(Conflict):
    code = "task.closed"
    title_zh = "任务已完成或已取消，不能再报告进度"
    title_en = "The task is done or cancelled"


class PlanInvalid(Invalid):
    code = "task_plan.invalid"
    title_zh = "倒排工期计划无效"
    title_en = "The backward schedule is invalid"


class PlanCycle(Invalid):
    code = "task_plan.cycle"
    title_zh = "倒排工期的前置关系存在循环"
    title_en = "The steps' dependencies form a cycle"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "pk_task": TaskIdTaken,
    "ck_task_planned_order": TaskInvalid,
    "ck_task_actual_order": TaskInvalid,
    "ck_task_progress_range": TaskInvalid,
}
