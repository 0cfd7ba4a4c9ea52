"""Use case: withdraw (作废) a document attached to a task or a problem.

A government archive does not lose files, so a document is never deleted: its withdrawal records when,
by whom and why, the owner's document list leaves it out by default, and the document itself (its
information and its content) can still be read. The rules are in ``work_documents``; the owner's use
case (``tasks.withdraw_task_document``, ``problems.withdraw_problem_document``) writes the change, its
audit entry and the owner's ``changed`` event (``change`` = ``document_withdrawn``) in the caller's
transaction. Like every use case here it never commits."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from kernel.auth.principal import Principal
from services.projects.documents.rules import may_withdraw, may_withdraw_any, owner_of
from services.projects.problems.service import withdraw_problem_document
from services.projects.tasks.service import withdraw_task_document
from services.projects.work.errors import DocumentNotFound, WithdrawalForbidden
from services.projects.work.models import WorkDocument
from services.projects.work.repository import DocumentRepository

__all__ = ["withdraw_document"]


async def withdraw_document(session: AsyncSession, actor: Principal, document_id: uuid.UUID,
                            reason: str) -> WorkDocument:
    """Withdraw a document the caller sees. Refusals, in this order: 403 when the caller may withdraw
    no document at all; 404 when the document is not in the caller's scope (never 403: ids leak
    nothing); 403 without the write permission of the document's owner (the upload's permission);
    422 for a reason out of bounds; 409 when already withdrawn, or when it is closing evidence of a
    closed problem."""
    if not may_withdraw_any(actor):
        raise WithdrawalForbidden()
    document = await DocumentRepository(session).get_in_scope(document_id, actor.scope)
    if document is None:
        raise DocumentNotFound()
    if not may_withdraw(actor, document):
        raise WithdrawalForbidden(extra={"owner": owner_of(document)})
    if document.task_id is not None:
        return await withdraw_task_document(session, actor, document, reason)
    return await withdraw_problem_document(session, actor, document, reason)
