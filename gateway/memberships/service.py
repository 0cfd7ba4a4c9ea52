"""Task-force scope from membership: the gateway follows the projects service's
``projects.taskforce.member.changed`` events and keeps each membership by the member's
account, so a user's token carries the projects of the forces they belong to now,
besides those an administrator set (``AppUser.project_ids``). A membership's newer
version replaces an older one; replays and reorderings change nothing.

The same feed's ``projects.project.changed`` events keep the gateway's project directory
(``gateway.database.PROJECTS``): an administrator-set project reaches a token only when the
directory places it inside the user's region. A task-force membership is scope by itself
(the projects service decided it), wherever the project is."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import TaskForceMemberChanged
from gateway.database import PROJECTS
from gateway.memberships.repository import MembershipRepository, ProjectDirectoryRepository
from kernel.events.envelope import BatchHandler, EventEnvelope, Handler
from kernel.regions import significant_prefix

MEMBER_CHANGED = TaskForceMemberChanged.event_type


async def on_members_changed(session: AsyncSession, events: list[EventEnvelope]) -> None:
    members = [TaskForceMemberChanged.model_validate(event.payload) for event in events]
    await MembershipRepository(session).upsert([
        (m.id, m.gateway_username.lower() if m.gateway_username else None, m.project_id, m.status == "joined",
         m.version) for m in members])


async def on_member_changed(session: AsyncSession, event: EventEnvelope) -> None:
    await on_members_changed(session, [event])


HANDLERS: dict[str, Handler] = {MEMBER_CHANGED: on_member_changed, **PROJECTS.handlers}
BATCH_HANDLERS: dict[str, BatchHandler] = {MEMBER_CHANGED: on_members_changed, **PROJECTS.batch_handlers}


async def project_regions(session: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Where each project the directory knows of among ``ids`` is (unknown ones are left out)."""
    return await ProjectDirectoryRepository(session).regions_of(ids)


async def project_ids_of(session: AsyncSession, username: str, admin_set: list[uuid.UUID],
                         region_code: str) -> list[uuid.UUID]:
    """The projects a user's token carries: those set by an administrator that the directory
    places inside the user's region (an unknown project, or one elsewhere, is left out), and
    those of the user's current task-force memberships."""
    regions = await project_regions(session, list(admin_set))
    inside = significant_prefix(region_code)
    granted = {p for p in admin_set if p in regions and regions[p].startswith(inside)}
    return sorted(granted | set(await MembershipRepository(session).current_projects(username)))
