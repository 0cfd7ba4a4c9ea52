"""The rules of a user account (pure): which roles a person may hold and together,
that only a resident's account names a household, and that an account's region
is a valid code inside the caller's scope."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from gateway.users.errors import InvalidUser, RegionOutsideScope
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.errors import FieldError
from kernel.regions import validate_code

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
