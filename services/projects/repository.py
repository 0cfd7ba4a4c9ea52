"""Query helpers the slices' repositories share (no table of their own): the caller's scope spelled
over the project a record belongs to, and the base of the repositories of such records
(``ProjectScopedRepository``). Pagination is the kernel's (``kernel.db.repository``,
``kernel.db.keyset``)."""

from __future__ import annotations

import uuid
from typing import TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import DeclarativeBase, InstrumentedAttribute

from kernel.auth.principal import DataScope
from kernel.db.repository import ScopedRepository, scope_clause
from services.projects.registry.models import Project

M = TypeVar("M", bound=DeclarativeBase)


def project_in_scope(scope: DataScope) -> ColumnElement[bool]:
    """The caller's scope over ``Project`` (a query joins the project of its records)."""
    return scope_clause(scope, Project.region_code, Project.id)


class ProjectScopedRepository(ScopedRepository[M]):
    """Persistence for records that belong to a project (tasks, problems, supervision items, documents...):
    one is in the caller's scope when its project is, so the look-ups join the project. Subclasses set
    ``model``, ``not_found`` and ``project_key`` (the record's project column, e.g. ``Task.project_id``)."""

    project_key: InstrumentedAttribute[uuid.UUID]

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        """The scope over the joined project (``scoped`` joins it)."""
        return project_in_scope(scope)

    def scoped(self, scope: DataScope) -> Select[tuple[M]]:
        # The column is read off the class: through an instance SQLAlchemy would look for a mapped row.
        return select(self.model).join(Project, Project.id == type(self).project_key).where(self.in_scope(scope))
