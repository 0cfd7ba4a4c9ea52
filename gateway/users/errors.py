"""Errors of user accounts (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, Denied, DomainError, Invalid, NotFound


class UserNotFound(NotFound):
    code = "user.not_found"
    title_zh = "用户不存在"
    title_en = "User not found"


class UsernameTaken(Conflict):
    code = "user.username_taken"
    title_zh = "用户名已被使用"
    title_en = "The username is taken"


class UserIdTaken(Conflict):
    code = "user.id_taken"
    title_zh = "用户 ID 已存在"
    title_en = "A user with this id already exists"


class InvalidUser(Invalid):
    code = "user.invalid"
    title_zh = "用户信息不符合要求"
    title_en = "The user data breaks a rule"


class PhoneLookupPurposeRequired(Invalid):
    """Finding users by a whole phone number is a reveal: it states its purpose (audited)."""

    code = "user.phone_lookup_purpose_required"
    title_zh = "按手机号查找须说明事由"
    title_en = "A lookup by phone number needs a stated purpose"


class HouseholdBound(Conflict):
    code = "user.household_bound"
    title_zh = "该户已关联其他居民账号（确需改绑的，由该区域管理员说明理由后改绑）"
    title_en = "The household is bound to another resident's account"


class RegionOutsideScope(Denied):
    code = "scope.region_outside"
    title_zh = "该行政区划不在您的管辖范围内"
    title_en = "The region is outside your scope"


class ProjectUnknown(Invalid):
    code = "user.project_unknown"
    title_zh = "项目不存在（或尚未同步到网关）"
    title_en = "The project is not known to the gateway"


class SelfGrant(Denied):
    code = "user.self_grant"
    title_zh = "不能修改自己的角色、行政区划或项目"
    title_en = "You cannot change your own roles, region or projects"


class RoleNotGrantable(Denied):
    code = "scope.role_not_grantable"
    title_zh = "您不能在该行政区划授予此角色"
    title_en = "You may not grant this role in this region"


class ProjectOutsideScope(Denied):
    code = "scope.project_outside"
    title_zh = "该项目不在用户所在行政区划内"
    title_en = "The project is outside the user's region"


class AccountNotManageable(Denied):
    code = "scope.account_not_manageable"
    title_zh = "该管理员账号由上级管理员管理"
    title_en = "This administrator's account is managed by the administrators above it"


#: What a violated database constraint means, for the races that slip past the checks.
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_app_user_username": UsernameTaken,
    "pk_app_user": UserIdTaken,
}
