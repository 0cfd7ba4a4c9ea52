"""Use cases for user accounts. Every read is limited to the caller's region
(a user outside it is "not found"), phone numbers leave only masked unless
revealed for a stated purpose, and every change and every reveal is written
to the audit trail in the same transaction.

A new account has no password: an administrator sets the first one with the
password reset. Passwords never travel in a create request, so none ever
reaches the idempotency store (which keeps a plain SHA-256 of the body)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from gateway.database import RECORDS
from gateway.identity.rules import check_password, normalize_username, valid_username
from gateway.identity.service import Identity, end_sessions
from gateway.memberships.service import project_regions
from gateway.users.errors import InvalidUser, PhoneLookupPurposeRequired, UserIdTaken, UsernameTaken
from gateway.users.models import AppUser
from gateway.users.repository import UserFilter, UserRepository
from gateway.users.rules import (
    account_manageable,
    admin_grantable,
    chosen_roles,
    household_binding,
    no_self_grant,
    own_account,
    projects_inside,
    region_in_scope,
    resident_household,
)
from kernel.audit.chain import diff
from kernel.auth.principal import DataScope, Forbidden, Principal
from kernel.auth.roles import Role
from kernel.concurrency import UNCONDITIONAL, check_version
from kernel.db.session import apply_scope, utcnow
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult

__all__ = ["AppUser", "HouseholdRebind", "UserDraft", "create_user", "get_user", "list_users", "reveal",
           "set_password", "update_user"]

UPDATABLE = frozenset({"display_name", "phone", "roles", "region_code", "project_ids", "household_id", "active"})
REVEALABLE = frozenset({"phone"})
REVEAL = "pii.reveal"


@dataclass(frozen=True, slots=True)
class UserDraft:
    username: str
    display_name: str
    roles: list[Role]
    region_code: str
    phone: str | None = None
    project_ids: list[uuid.UUID] = field(default_factory=list)
    household_id: uuid.UUID | None = None
    id: uuid.UUID | None = None
    rebind_household: bool = False
    rebind_reason: str | None = None


@dataclass(frozen=True, slots=True)
class HouseholdRebind:
    """A request's explicit word on a household bound to another resident (``rules.household_binding``)."""

    rebind: bool = False
    reason: str | None = None


def snapshot(ident: Identity, user: AppUser) -> dict[str, Any]:
    """What the audit trail keeps of a user: never the phone number, only its mask."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "phone": ident.phone.masked(user.phone_enc),
        "roles": sorted(user.roles),
        "region_code": user.region_code,
        "project_ids": sorted(str(p) for p in user.project_ids),
        "household_id": user.household_id,
        "active": user.active,
    }


async def _check_projects(session: AsyncSession, actor: Principal, region_code: str,
                          projects: list[uuid.UUID]) -> None:
    """Granted projects are known to the directory and inside the account's region (system
    work, such as the demo loaded before the directory fills, is not checked: tokens still are)."""
    if projects and not actor.system:
        projects_inside(region_code, projects, await project_regions(session, projects))


async def _household_holders(session: AsyncSession, actor: Principal, household_id: uuid.UUID,
                             user_id: uuid.UUID) -> list[AppUser]:
    """The other active residents bound to the household, wherever they are: the caller's
    row-level scope is widened for this one query (a binding outside it still blocks, and is
    named only as "bound"), then set back."""
    repo = UserRepository(session)
    if actor.system:
        return await repo.household_holders(household_id, user_id)
    await apply_scope(session, DataScope.everything())
    try:
        return await repo.household_holders(household_id, user_id)
    finally:
        await apply_scope(session, actor.scope)


async def _check_household(session: AsyncSession, actor: Principal, user_id: uuid.UUID,
                           household_id: uuid.UUID | None, rebind: HouseholdRebind) -> list[AppUser]:
    """The accounts that lose the household when this one takes it (refused unless rebound)."""
    if household_id is None:
        household_binding(actor, [], rebind.rebind, rebind.reason)
        return []
    holders = await _household_holders(session, actor, household_id, user_id)
    unbind = set(household_binding(actor, [(h.id, h.region_code) for h in holders], rebind.rebind, rebind.reason))
    return [h for h in holders if h.id in unbind]


async def _unbind(session: AsyncSession, actor: Principal, holders: list[AppUser], user: AppUser,
                  reason: str | None) -> None:
    """The other accounts lose the household (and their sessions, whose tokens name it), audited."""
    for holder in holders:
        before = {"household_id": str(holder.household_id)}
        holder.household_id = None
        await end_sessions(session, holder.id, "household_rebound", utcnow())
        await session.flush()
        await RECORDS.record_change(session, actor, action="user.household_rebound", entity_type="user",
                                    entity_id=holder.id, region_code=holder.region_code, before=before,
                                    after={"household_id": None, "rebound_to": str(user.id), "reason": reason})


def _phone(ident: Identity, user: AppUser, phone: str | None) -> bool:
    """Set (or clear) the phone; whether it changed."""
    return ident.phone.assign(user, phone, sealed_attr="phone_enc", index_attr="phone_index")


async def create_user(session: AsyncSession, ident: Identity, actor: Principal, draft: UserDraft) -> AppUser:
    repo = UserRepository(session)
    username = normalize_username(draft.username)
    if not valid_username(username):
        raise InvalidUser(errors=[FieldError("body.username", "username_format",
                                             "用户名须为 3–64 位小写字母、数字或 ._-，以字母或数字开头")])
    roles = chosen_roles(draft.roles)
    region = region_in_scope(actor, draft.region_code)
    admin_grantable(actor, roles, region)
    await _check_projects(session, actor, region, draft.project_ids)
    if await repo.username_taken(username):
        raise UsernameTaken(errors=[FieldError("body.username", "username_taken", "用户名已被使用")])
    if draft.id is not None and await repo.exists(draft.id):
        raise UserIdTaken()
    household_id = resident_household(roles, draft.household_id)
    user_id = draft.id or uuid.uuid4()
    holders = await _check_household(session, actor, user_id, household_id,
                                      HouseholdRebind(draft.rebind_household, draft.rebind_reason))
    user = AppUser(id=user_id, username=username, display_name=draft.display_name, roles=roles,
                   region_code=region, project_ids=sorted(set(draft.project_ids)), household_id=household_id,
                   active=True)
    _phone(ident, user, draft.phone)
    await _unbind(session, actor, holders, user, draft.rebind_reason)
    await repo.add(user)
    await RECORDS.record_change(session, actor, action="user.create", entity_type="user", entity_id=user.id,
                                region_code=user.region_code, after=snapshot(ident, user))
    return user


async def get_user(session: AsyncSession, actor: Principal, user_id: uuid.UUID) -> AppUser:
    return await UserRepository(session).require(user_id, actor.scope)


async def list_users(session: AsyncSession, ident: Identity, actor: Principal, page: PageRequest, *,
                     role: Role | None = None, region_prefix: str | None = None, active: bool | None = None,
                     phone: str | None = None, purpose: str | None = None) -> PageResult[AppUser]:
    """Users in the caller's scope. Finding them by a whole phone number tells whether a number is
    someone's, so it is a reveal: it needs ``pii.reveal`` and a purpose, and it is audited with the
    number's mask and the users found, never the number (decision 0009)."""
    phone_index = None
    if phone is not None:
        if not actor.may(REVEAL):
            raise Forbidden("按完整手机号查找用户须有查看个人信息的权限（pii.reveal）")
        if purpose is None:
            raise PhoneLookupPurposeRequired(errors=[FieldError("query.purpose", "purpose_required",
                                                                "按手机号查找须说明事由（写入审计日志）")])
        phone_index = ident.phone.lookup(phone)
    f = UserFilter(role=role.value if role else None, region_prefix=region_prefix, active=active,
                   phone_index=phone_index)
    result = await UserRepository(session).page(f, actor.scope, page)
    if phone is not None:
        mask = ident.phone.kind.mask(ident.phone.normalize(phone))
        await RECORDS.record_change(session, actor, action="user.lookup_by_phone", entity_type="user_lookup",
                                    entity_id=mask, region_code=actor.region_code,
                                    after={"purpose": purpose, "phone": mask,
                                           "found": [str(u.id) for u in result.items]})
    return result


async def update_user(session: AsyncSession, ident: Identity, actor: Principal, user_id: uuid.UUID,
                      changes: dict[str, Any], expected_version: int | None,
                      rebind: HouseholdRebind | None = None, *, unconditional: bool = False) -> AppUser:
    """Change what ``changes`` names. Deactivating an account ends its sessions. The grants
    (roles, region, projects) are checked against the caller (``rules``): none on one's own
    account, ``admin`` only strictly below the caller, projects inside the account's region."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    user = await get_user(session, actor, user_id)
    check_version(user.version, expected_version)
    roles = chosen_roles(changes["roles"]) if "roles" in changes else sorted(user.roles)
    region = changes.get("region_code", user.region_code)
    projects = sorted(set(changes["project_ids"])) if "project_ids" in changes else sorted(user.project_ids)
    if own_account(actor, user.id):
        no_self_grant([f for f, changed in (("roles", roles != sorted(user.roles)),
                                            ("region_code", region != user.region_code),
                                            ("project_ids", projects != sorted(user.project_ids))) if changed])
    else:
        account_manageable(actor, user.roles, user.region_code)
    before = snapshot(ident, user)
    if "display_name" in changes:
        user.display_name = changes["display_name"]
    moved = region != user.region_code
    if moved:
        user.region_code = region_in_scope(actor, region)
    if "roles" in changes or moved:
        admin_grantable(actor, [r for r in roles if moved or r not in user.roles], user.region_code)
        user.roles = roles
    if moved:  # every project the account keeps must be inside its new region
        await _check_projects(session, actor, user.region_code, projects)
    elif "project_ids" in changes:
        await _check_projects(session, actor, user.region_code, sorted(set(projects) - set(user.project_ids)))
    if "project_ids" in changes:
        user.project_ids = projects
    rebind = rebind or HouseholdRebind()
    household = user.household_id
    if "household_id" in changes or "roles" in changes:
        household = resident_household(user.roles, changes.get("household_id", user.household_id))
    # The household is claimed when the account takes it, comes back to it, or rebinds it explicitly.
    claims = bool(changes.get("active", user.active)) and (
        household != user.household_id or (changes.get("active") and not user.active) or rebind.rebind)
    holders = await _check_household(session, actor, user.id, household if claims else None, rebind)
    user.household_id = household
    await _unbind(session, actor, holders, user, rebind.reason)
    phone_changed = "phone" in changes and _phone(ident, user, changes["phone"])
    if "active" in changes:
        user.active = bool(changes["active"])
    after = snapshot(ident, user)
    if after == before and not phone_changed:
        return user
    if before["active"] and not after["active"]:
        await end_sessions(session, user.id, "user_disabled", utcnow())
    await session.flush()
    changed = diff(before, after)
    if phone_changed:  # two numbers can share a mask: say that it changed all the same
        changed["before"]["phone"], changed["after"]["phone"] = before["phone"], after["phone"]
    await RECORDS.record_change(session, actor, action="user.update", entity_type="user", entity_id=user.id,
                                region_code=user.region_code, before=changed["before"],
                                after={**changed["after"], **(UNCONDITIONAL if unconditional else {})})
    return user


async def set_password(session: AsyncSession, ident: Identity, actor: Principal, user_id: uuid.UUID,
                       password: str, expected_version: int | None, *, unconditional: bool = False) -> AppUser:
    """An administrator sets a user's password (the first one, or a reset). Every
    session of the user ends; the audit entry records that it happened, nothing more. A peer
    administrator's password is not the caller's to set (``account_manageable``)."""
    user = await get_user(session, actor, user_id)
    if not own_account(actor, user.id):
        account_manageable(actor, user.roles, user.region_code)
    check_version(user.version, expected_version)
    check_password(password, user.username)
    now = utcnow()
    had_password = user.password_hash is not None
    user.password_hash = await ident.passwords.hash(password)
    user.password_changed_at = now
    ended = await end_sessions(session, user.id, "password_reset", now)
    await session.flush()
    await RECORDS.record_change(session, actor, action="user.password_reset", entity_type="user",
                                entity_id=user.id, region_code=user.region_code,
                                after={"first_password": not had_password, "sessions_ended": ended,
                                       **(UNCONDITIONAL if unconditional else {})})
    return user


async def reveal(session: AsyncSession, ident: Identity, actor: Principal, user_id: uuid.UUID, purpose: str,
                 fields: Iterable[str]) -> dict[str, str | None]:
    """The whole values of ``fields`` for a stated purpose; the audit entry keeps the
    purpose and the field names, never the values."""
    wanted = sorted(set(fields))
    unknown = [f for f in wanted if f not in REVEALABLE]
    if unknown or not wanted:
        raise InvalidUser(errors=[FieldError("body.fields", "not_revealable", "只能查看完整手机号")])
    user = await get_user(session, actor, user_id)
    values: dict[str, str | None] = {"phone": ident.phone.opened(user.phone_enc)}
    await RECORDS.record_change(session, actor, action="user.reveal", entity_type="user", entity_id=user.id,
                                region_code=user.region_code, after={"purpose": purpose, "fields": wanted})
    return {f: values[f] for f in wanted}
