"""Who may call what: the gateway's permission table (declared to the kernel; each route
names its permission), and the other dependencies of its own routes: the identity context,
and the session of the sign-in routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.identity.errors import KeptRefusal
from gateway.identity.service import Identity
from kernel.auth.permissions import declare
from kernel.auth.principal import DataScope, Principal
from kernel.auth.roles import Role
from kernel.db.session import Database, apply_scope
from kernel.web.auth import Authorize, authenticate

PERMISSIONS = declare({
    "users.read": frozenset({Role.admin, Role.auditor}),
    "users.write": frozenset({Role.admin}),
    "clients.write": frozenset({Role.admin}),
    "keys.manage": frozenset({Role.admin}),
})

ReadUsers = Annotated[Principal, Depends(Authorize("users.read"))]
WriteUsers = Annotated[Principal, Depends(Authorize("users.write"))]
RevealPii = Annotated[Principal, Depends(Authorize("pii.reveal"))]
WriteClients = Annotated[Principal, Depends(Authorize("clients.write"))]
ManageKeys = Annotated[Principal, Depends(Authorize("keys.manage"))]
Caller = Annotated[Principal, Depends(authenticate)]


def get_identity(request: Request) -> Identity:
    identity: Identity = request.app.state.identity
    return identity


IdentityDep = Annotated[Identity, Depends(get_identity)]


async def get_sign_in_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The session of login, refresh, logout and the token endpoint: no caller yet, so
    it sees every account (the use cases look up exactly one).

    Like the kernel's system session it commits after the route returns and before
    the response is sent, and rolls back when the route raises, except for a
    ``KeptRefusal``: a counted failed login or a revoked family is committed, then
    the refusal is answered."""
    db: Database = request.app.state.db
    async with db.sessionmaker() as session:
        if request.app.state.settings.db_rls:
            await apply_scope(session, DataScope.everything())  # a username may be anywhere
        try:
            yield session
        except KeptRefusal:
            await session.commit()
            raise
        await session.commit()


SignInSessionDep = Annotated[AsyncSession, Depends(get_sign_in_session, scope="function")]
