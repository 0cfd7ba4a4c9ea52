"""Queries of machine clients."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select

from gateway.clients.errors import ClientNotFound
from gateway.clients.models import ApiClient
from kernel.auth.principal import DataScope
from kernel.db.repository import ScopedRepository, scope_clause
from kernel.pagination import PageRequest, PageResult


class ClientRepository(ScopedRepository[ApiClient]):
    """Machine clients; a caller sees those inside their scope and those bound to no region.
    A client is named by its ``client_id``."""

    model = ApiClient
    not_found = ClientNotFound

    def in_scope(self, scope: DataScope) -> ColumnElement[bool]:
        return or_(ApiClient.region_code.is_(None), scope_clause(scope, ApiClient.region_code))

    async def get_in_scope(self, ident: str, scope: DataScope, *, lock: bool = False) -> ApiClient | None:
        """The client with this ``client_id`` if the caller may see it."""
        stmt = self.scoped(scope).where(ApiClient.client_id == ident)
        if lock:
            stmt = stmt.with_for_update()
        return (await self.session.scalars(stmt)).first()

    async def by_client_id(self, client_id: str) -> ApiClient | None:
        return (await self.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id))).first()

    async def page(self, scope: DataScope, page: PageRequest) -> PageResult[ApiClient]:
        return await self.paginate(self.scoped(scope), [ApiClient.client_id], page)
