"""The rules of a user account (pure): which roles a person may hold and together,
that only a resident's account names a household, that an account's region
is a valid code inside the caller's scope, and what an administrator may grant.

Grants (checked when written, on create and on change, against the granter):

- nobody changes their own roles, region or projects (``SelfGrant``);
- ``admin`` is granted only for a region strictly inside the granter's own: a regional
  administrator creates administrators for the regions below it, never for its own region or
  above (``RoleNotGrantable``); the other roles anywhere inside its region;
- an account holding ``admin`` is managed (changed, its password set) only by administrators
  above its region, so a peer cannot take it over (``AccountNotManageable``); one's own account
  is one's own, for everything but the grants;
- a project is granted only when the gateway's project directory knows it (``ProjectUnknown``)
  and places it inside the account's region (``ProjectOutsideScope``), which is itself inside
  the granter's; moving an account to another region keeps its projects inside the new one.

A resident's household (``household_binding``): a household is bound to one active resident's
account at a time. Binding one already bound to another active resident is refused
(``HouseholdBound``) unless the request says so explicitly (``rebind_household`` with a reason),
and then only by an administrator whose region holds the other account: that account loses the
binding (and its sessions), audited with the reason. Whether the household exists is not checked
yet: the gateway has no household directory; it is checked once the relocation service publishes
its households (as projects are, through the project directory).

System work (``Principal.system``: the demo loader) is bound by none of these but the shape."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence

from gateway.users.errors import (
    AccountNotManageable,
    HouseholdBound,
    InvalidUser,
    ProjectOutsideScope,
    ProjectUnknown,
    RegionOutsideScope,
    RoleNotGrantable,
    SelfGrant,
)
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.errors import FieldError
from kernel.regions import significant_prefix, validate_code

#: Roles a person may hold (``integration`` is for machine clients).
USER_ROLES = frozenset(Role) - {Role.integration}


def chosen_roles(roles: Iterable[Role], field_name: str = "body.roles") -> list[str]:
    chosen = sorted({Role(r).value for r in roles})
    if not chosen:
        raise InvalidUser(errors=[FieldError(field_name, "roles_empty", "至少指定一个角色")])
    refused = [r for r in chosen if Role(r) not in USER_ROLES]
    if refused:
        raise InvalidUser(errors=[FieldError(field_name, "role_not_for_users", "外部系统角色只能授予客户端")])
    if Role.resident.value in chosen and len(chosen) > 1:
        raise InvalidUser(errors=[FieldError(field_name, "resident_alone", "居民角色不能与工作人员角色同时授予")])
    return chosen


def resident_household(roles: list[str], household_id: uuid.UUID | None) -> uuid.UUID | None:
    """Only a resident's account names a household (their own)."""
    if household_id is not None and roles != [Role.resident.value]:
        raise InvalidUser(errors=[FieldError("body.household_id", "household_resident_only", "只有居民账号关联住户")])
    return household_id


def region_in_scope(actor: Principal, code: str, field_name: str = "body.region_code") -> str:
    try:
        validate_code(code)
    except ValueError as exc:
        raise InvalidUser(errors=[FieldError(field_name, "region_code_format", "区划代码须为 12 位数字")]) from exc
    if not actor.scope.allows(code):
        raise RegionOutsideScope(errors=[FieldError(field_name, "outside_scope", "该区划不在您的管辖范围内")])
    return code


#: The fields of an account that grant something: nobody changes their own.
GRANT_FIELDS = ("roles", "region_code", "project_ids")


def own_account(actor: Principal, user_id: uuid.UUID) -> bool:
    return actor.kind == "user" and actor.subject == f"user:{user_id}"


def no_self_grant(changed: Iterable[str]) -> None:
    """``changed``: the grant fields a change to the caller's own account would alter."""
    fields = [f for f in GRANT_FIELDS if f in set(changed)]
    if fields:
        raise SelfGrant(errors=[FieldError(f"body.{f}", "self_grant", "不能修改自己的角色、行政区划或项目")
                                for f in fields])


def strictly_inside(actor: Principal, code: str) -> bool:
    """Whether ``code`` lies inside the actor's region and is not the region itself."""
    if actor.system:
        return True
    if actor.region_code is None:
        return False
    own = significant_prefix(actor.region_code)
    return code.startswith(own) and significant_prefix(code) != own


def admin_grantable(actor: Principal, roles: Iterable[str], region_code: str,
                    field_name: str = "body.roles") -> None:
    """``admin`` among ``roles`` at ``region_code``: only strictly inside the actor's region."""
    if Role.admin.value in set(roles) and not strictly_inside(actor, region_code):
        raise RoleNotGrantable(errors=[FieldError(field_name, "admin_not_grantable",
                                                  "只能为下级行政区划设置管理员")])


def account_manageable(actor: Principal, roles: Iterable[str], region_code: str) -> None:
    """An account holding ``admin`` is managed by the administrators above its region."""
    if Role.admin.value in set(roles) and not strictly_inside(actor, region_code):
        raise AccountNotManageable()


def projects_inside(region_code: str, projects: Iterable[uuid.UUID], regions: Mapping[uuid.UUID, str],
                    field_name: str = "body.project_ids") -> None:
    """Every project is known (``regions``: where each known one is) and inside ``region_code``."""
    wanted = sorted(set(projects))
    unknown = [p for p in wanted if p not in regions]
    if unknown:
        raise ProjectUnknown(errors=[FieldError(field_name, "project_unknown", f"项目不存在：{p}")
                                     for p in unknown])
    inside = significant_prefix(region_code)
    outside = [p for p in wanted if not regions[p].startswith(inside)]
    if outside:
        raise ProjectOutsideScope(errors=[FieldError(field_name, "project_outside",
                                                     f"项目不在用户所在行政区划内：{p}") for p in outside])


def household_binding(actor: Principal, holders: Sequence[tuple[uuid.UUID, str]], rebind: bool,
                      reason: str | None) -> list[uuid.UUID]:
    """The accounts to unbind so the household can be bound: ``holders`` are the other active
    residents bound to it (id, region). None: nothing to unbind. Some: refused unless ``rebind``
    with a ``reason``, by an actor whose scope holds every one of them."""
    if rebind and not (reason or "").strip():
        raise InvalidUser(errors=[FieldError("body.rebind_reason", "rebind_reason_required",
                                             "改绑住户须说明理由（写入审计日志）")])
    if not holders:
        return []
    if not rebind:
        raise HouseholdBound(errors=[FieldError("body.household_id", "household_bound",
                                                "该户已关联其他居民账号；确需改绑请设置 rebind_household 并说明理由")])
    outside = [ident for ident, region in holders if not actor.scope.allows(region)]
    if outside:
        raise RegionOutsideScope(errors=[FieldError("body.household_id", "outside_scope",
                                                    "该户所关联的居民账号不在您的管辖范围内")])
    return [ident for ident, _ in holders]
