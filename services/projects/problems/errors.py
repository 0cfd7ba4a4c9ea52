"""Errors: the problem ledger (问题清单): registration (挂号), closure (销号) with evidence, reopening (no
HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


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


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "pk_problem": ProblemIdTaken,
    "ck_problem_closed_with_note": ClosureWithoutEvidence,
}
