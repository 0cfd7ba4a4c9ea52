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


class RegionOutsideScope(Denied):
    code = "scope.region_outside"
    title_zh = "该行政区划不在您的管辖范围内"
    title_en = "The region is outside your scope"


#: What a violated database constraint means, for the races that slip past the checks.
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_app_user_username": UsernameTaken,
    "pk_app_user": UserIdTaken,
}
