"""Task-force scope from membership: the gateway follows the projects service's
``projects.taskforce.member.changed`` events and keeps each membership by the member's
account, so a user's token carries the projects of the forces they belong to now,
besides those an administrator set (``AppUser.project_ids``). A membership's newer
version replaces an older one; replays and reorderings change nothing."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import TaskForceMemberChanged
from gateway.memberships.repository import MembershipRepository
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
