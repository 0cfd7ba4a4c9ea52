"""The rules of a document's withdrawal (作废), without a database: who may, the reason's bounds, once
only, closing evidence stays; and what a withdrawal writes on the document."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from services.projects.documents.errors import DocumentAlreadyWithdrawn, DocumentIsEvidence, WithdrawalInvalid
from services.projects.documents.models import WorkDocument
from services.projects.documents.rules import (
    check_withdrawal,
    mark_withdrawn,
    may_withdraw,
    may_withdraw_any,
    owner_of,
)
from services.projects.permissions import PERMISSIONS

AT = dt.datetime(2026, 11, 22, 2, 30, tzinfo=dt.UTC)


def document(*, task: bool = True, withdrawn: bool = False) -> WorkDocument:
    doc = WorkDocument(id=uuid.uuid4(), project_id=uuid.uuid4(), task_id=uuid.uuid4() if task else None,
                       problem_id=None if task else uuid.uuid4(), file_name="批复.pdf", content_type="application/pdf",
                       size_bytes=3, sha256="0" * 64, storage="database", uploaded_by="user:a", uploaded_by_name="甲")
    if withdrawn:
        doc.withdrawn_at, doc.withdrawn_by, doc.withdrawn_by_name, doc.withdrawal_reason = AT, "user:b", "乙", "误传"
    return doc


def person(*roles: Role, name: str = "张伟") -> Principal:
    return Principal(subject="user:zw", kind="user", name=name, roles=frozenset(roles), region_code="430903001000")


def test_the_owner_decides_the_permission() -> None:
    assert owner_of(document(task=True)) == "task"
    assert owner_of(document(task=False)) == "problem"
    field_worker = person(Role.field_worker)
    assert may_withdraw_any(field_worker)
    assert not may_withdraw(field_worker, document(task=True))
    assert may_withdraw(field_worker, document(task=False))
    officer = person(Role.street_officer)
    assert may_withdraw(officer, document(task=True))
    assert may_withdraw(officer, document(task=False))
    assert not may_withdraw_any(person(Role.auditor))
    assert not may_withdraw_any(person(Role.resident))


@pytest.mark.parametrize("role", sorted(Role))
def test_whoever_may_withdraw_anything_holds_problems_write(role: Role) -> None:
    """The route admits problems.write; the use case narrows to the owner's permission."""
    if may_withdraw_any(person(role)):
        assert role in PERMISSIONS["problems.write"]


@pytest.mark.parametrize(("reason", "ok"), [
    ("误传", True), ("  误传  ", True), ("长" * 500, True), ("误", False), ("  误 ", False), ("", False),
    ("长" * 501, False),
])
def test_the_reason_is_stripped_and_bounded(reason: str, ok: bool) -> None:
    if ok:
        assert check_withdrawal(document(), reason, closing_evidence=False) == reason.strip()
    else:
        with pytest.raises(WithdrawalInvalid) as refused:
            check_withdrawal(document(), reason, closing_evidence=False)
        assert refused.value.errors[0].field == "body.reason"


def test_once_only_and_closing_evidence_stays() -> None:
    with pytest.raises(DocumentAlreadyWithdrawn):
        check_withdrawal(document(withdrawn=True), "再次作废", closing_evidence=False)
    evidence = document(task=False)
    with pytest.raises(DocumentIsEvidence) as refused:
        check_withdrawal(evidence, "作废佐证", closing_evidence=True)
    assert refused.value.extra == {"problem_id": str(evidence.problem_id)}


def test_a_withdrawal_records_when_who_and_why() -> None:
    doc = document()
    mark_withdrawn(doc, person(Role.street_officer), "误传", AT)
    assert (doc.withdrawn_at, doc.withdrawn_by, doc.withdrawn_by_name, doc.withdrawal_reason) == (
        AT, "user:zw", "张伟", "误传")
    unnamed = document()
    mark_withdrawn(unnamed, person(Role.street_officer, name=""), "误传", AT)
    assert unnamed.withdrawn_by_name == "user:zw"
