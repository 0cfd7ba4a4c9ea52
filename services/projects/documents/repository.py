"""Queries of documents attached to tasks and problems (``work_document``).

Every look-up by id is limited to the caller's scope by joining the project (``project_in_scope``);
row-level security is the second line."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import undefer

from kernel.auth.principal import DataScope
from services.projects.documents.errors import DocumentNotFound
from services.projects.documents.models import WorkDocument
from services.projects.repository import ProjectScopedRepository


class DocumentRepository(ProjectScopedRepository[WorkDocument]):
    model = WorkDocument
    not_found = DocumentNotFound
    project_key = WorkDocument.project_id

    async def get_in_scope(self, ident: uuid.UUID, scope: DataScope, *, lock: bool = False,
                           with_content: bool = False) -> WorkDocument | None:
        """``lock``: ``FOR NO KEY UPDATE`` of the document row, read afresh. That lock does not block the
        key-share lock a new evidence row's foreign key takes, so closing a problem never waits on it.
        ``with_content``: the content too (deferred otherwise)."""
        stmt = self.scoped(scope).where(WorkDocument.id == ident)
        if with_content:
            stmt = stmt.options(undefer(WorkDocument.content))
        if lock:
            stmt = (stmt.with_for_update(of=WorkDocument, key_share=True)
                    .execution_options(populate_existing=True))
        return (await self.session.scalars(stmt)).first()

    async def require(self, ident: uuid.UUID, scope: DataScope, *, lock: bool = False,
                      with_content: bool = False) -> WorkDocument:
        """As ``ScopedRepository.require``, with the content too when ``with_content``."""
        found = await self.get_in_scope(ident, scope, lock=lock, with_content=with_content)
        if found is None:
            raise self.not_found()
        return found

    async def of_task(self, task_id: uuid.UUID, *, include_withdrawn: bool = False) -> list[WorkDocument]:
        stmt = select(WorkDocument).where(WorkDocument.task_id == task_id)
        return await self._listed(stmt, include_withdrawn)

    async def of_problem(self, problem_id: uuid.UUID, *, include_withdrawn: bool = False) -> list[WorkDocument]:
        stmt = select(WorkDocument).where(WorkDocument.problem_id == problem_id)
        return await self._listed(stmt, include_withdrawn)

    async def of_problem_among(self, problem_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> list[WorkDocument]:
        """Those of ``ids`` that are documents of the problem (withdrawn ones too)."""
        if not ids:
            return []
        stmt = select(WorkDocument).where(WorkDocument.problem_id == problem_id, WorkDocument.id.in_(list(ids)))
        return list((await self.session.scalars(stmt)).all())

    async def _listed(self, stmt: Select[tuple[WorkDocument]], include_withdrawn: bool) -> list[WorkDocument]:
        if not include_withdrawn:
            stmt = stmt.where(WorkDocument.withdrawn_at.is_(None))
        stmt = stmt.order_by(WorkDocument.uploaded_at, WorkDocument.id)
        return list((await self.session.scalars(stmt)).all())

    async def count_for_task(self, task_id: uuid.UUID) -> int:
        return int(await self.session.scalar(
            select(func.count()).select_from(WorkDocument).where(WorkDocument.task_id == task_id)) or 0)
