"""Errors: tasks (倒排工期), approvals and their documents, the problem ledger (挂号/销号) and supervision
items (督办) (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.auth.principal import Forbidden
from kernel.errors import Conflict, DomainError, Invalid, NotFound, TooLarge


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


class DocumentNotFound(NotFound):
    code = "document.not_found"
    title_zh = "附件不存在"
    title_en = "Document not found"


class DocumentTooLarge(TooLarge):
    code = "document.too_large"
    title_zh = "附件超过大小上限"
    title_en = "The document exceeds the size limit"


class DocumentInvalid(Invalid):
    code = "document.invalid"
    title_zh = "附件无效"
    title_en = "The document is invalid"


class DocumentUnavailable(NotFound):
    code = "document.content_missing"
    title_zh = "附件内容已不在存储目录中"
    title_en = "The document's content is missing from storage"


class DocumentAlreadyWithdrawn(Conflict):
    code = "document.already_withdrawn"
    title_zh = "附件已作废"
    title_en = "The document is already withdrawn"


class DocumentIsEvidence(Conflict):
    code = "document.is_evidence"
    title_zh = "该附件是已销号问题的销号佐证，不能作废（须先重新打开问题）"
    title_en = "The document is evidence of a closed problem's closure"


class WithdrawalInvalid(Invalid):
    code = "document.withdrawal_invalid"
    title_zh = "作废原因不符合要求"
    title_en = "The withdrawal's reason is invalid"


class WithdrawalForbidden(Forbidden):
    code = "document.withdrawal_forbidden"
    title_zh = "当前角色无权作废该附件（须有向其所属任务或问题上传附件的权限）"
    title_en = "Your role may not withdraw this document"


class ProblemNotFound(NotFound):
    code = "problem.not_found"
    title_zh = "问题不存在"
    title_en = "Problem not found"


class ProblemIdTaken(Conflict):
    code = "problem.id_taken"
    title_zh = "问题 ID 已存在"
    title_en = "A problem with this id already exists"


class ProblemInvalid(Invalid):
    code = "problem.invalid"
    title_zh = "问题数据不符合规则"
    title_en = "The problem breaks a rule"


class ProblemNotOpen(Conflict):
    code = "problem.not_open"
    title_zh = "问题已销号"
    title_en = "The problem is closed"


class ProblemNotClosed(Conflict):
    code = "problem.not_closed"
    title_zh = "问题尚未销号，无需重新打开"
    title_en = "The problem is not closed"


class ClosureWithoutEvidence(Invalid):
    code = "problem.evidence_required"
    title_zh = "销号须填写销号说明并提供至少一项佐证材料（上传附件或文件依据）"
    title_en = "Closing a problem needs a closing note and at least one evidence item"


class EvidenceWithdrawn(Invalid):
    code = "problem.evidence_withdrawn"
    title_zh = "佐证材料中有已作废的附件，不能用于销号"
    title_en = "A withdrawn document cannot be closing evidence"


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
    "pk_task": TaskIdTaken,
    "pk_problem": ProblemIdTaken,
    "pk_supervision_item": SupervisionIdTaken,
    "uq_supervision_item_problem_id_problem_episode": AlreadyEscalated,
    "ck_task_planned_order": TaskInvalid,
    "ck_task_actual_order": TaskInvalid,
    "ck_task_progress_range": TaskInvalid,
    "ck_problem_closed_with_note": ClosureWithoutEvidence,
    "ck_work_document_withdrawal_whole": WithdrawalInvalid,
}
