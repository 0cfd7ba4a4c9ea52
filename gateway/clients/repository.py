"""Queries of machine clients."""

from __future__ import annotations

from sqlalchemy import or_, select

from gateway.clients.models import ApiClient
from kernel.auth.principal import DataScope
from kernel.db.repository import Repository, scope_clause
from kernel.pagination import PageRequest, PageResult


class ClientRepository(Repository[ApiClient]):
    model = ApiClient

    async def by_client_id(self, client_id: str) -> ApiClient | None:
        return (await self.session.scalars(select(ApiClient).where(ApiClient.client_id == client_id))).first()

    async def page(self, scope: DataScope, page: PageRequest) -> PageResult[ApiClient]:
        """Clients inside the caller's scope, and those bound to no region."""
        stmt = self.select().where(or_(ApiClient.region_code.is_(None), scope_clause(scope, ApiClient.region_code)))
        return await self.paginate(stmt, [ApiClient.client_id], page)
