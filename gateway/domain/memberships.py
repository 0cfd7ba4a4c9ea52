"""Task-force scope from membership: the gateway follows the projects service's
``projects.taskforce.member.changed`` events and keeps each membership by the member's
account, so a user's token carries the projects of the forces they belong to now,
besides those an administrator set (``AppUser.project_ids``). A membership's newer
version replaces an older one; replays and reorderings change nothing."""

from __future__ import annotations

import time
import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import TaskForceMemberChanged
from gateway.db.repositories import MembershipRepository
from gateway.domain.context import Identity
from kernel.auth.principal import Role
from kernel.auth.tokens import access_claims
from kernel.db.session import Database
from kernel.events.envelope import BatchHandler, EventEnvelope, Handler

MEMBER_CHANGED = TaskForceMemberChanged.event_type


async def on_members_changed(session: AsyncSession, events: list[EventEnvelope]) -> None:
    members = [TaskForceMemberChanged.model_validate(event.payload) for event in events]
    await MembershipRepository(session).upsert([
        (m.id, m.gateway_username.lower() if m.gateway_username else None, m.project_id, m.status == "joined",
         m.version) for m in members])


async def on_member_changed(session: AsyncSession, event: EventEnvelope) -> None:
    await on_members_changed(session, [event])


HANDLERS: dict[str, Handler] = {MEMBER_CHANGED: on_member_changed}
BATCH_HANDLERS: dict[str, BatchHandler] = {MEMBER_CHANGED: on_members_changed}


async def project_ids_of(session: AsyncSession, username: str, admin_set: list[uuid.UUID]) -> list[uuid.UUID]:
    """The projects a user's token carries: set by an administrator, or from a current membership."""
    return sorted(set(admin_set) | set(await MembershipRepository(session).current_projects(username)))


class FeedToken:
    """The gateway's own token for reading the projects feed. The gateway is the issuer,
    so it signs one for itself (client ``gateway``, scope ``events:read``) instead of
    asking its own token endpoint; renewed a minute before it expires."""

    def __init__(self, db: Database, ident: Identity, audience: tuple[str, ...] = ("projects",)) -> None:
        self.db, self.ident, self.audience = db, ident, audience
        self._token: str | None = None
        self._expires = 0.0

    async def __call__(self) -> str:
        if self._token is None or time.monotonic() > self._expires - 60:
            async with self.db.sessionmaker() as session, session.begin():
                key = await self.ident.keys.signing_key(session)
            claims = access_claims(subject="client:gateway", kind="client", name="网关（专班成员同步）",
                                   roles=[Role.integration.value], region_code=None, scopes=["events:read"],
                                   audience=self.audience, ttl=self.ident.access_ttl)
            self._token = key.sign(claims)
            self._expires = time.monotonic() + self.ident.access_ttl.total_seconds()
        return self._token
