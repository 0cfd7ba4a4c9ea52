"""Errors: documents attached to tasks and problems, their upload, download and withdrawal (作废) (no
HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.auth.principal import Forbidden
from kernel.errors import Conflict, DomainError, Invalid, NotFound, TooLarge


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


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "ck_work_document_withdrawal_whole": WithdrawalInvalid,
}
