"""Errors of signing in (no HTTP: the kernel maps kinds to statuses).

A refusal whose bookkeeping must survive it (the failed login that counts
towards a lockout, the family revoked when a refresh token is replayed) is a
``KeptRefusal``: the session that serves those routes commits before the
error response is sent, where every other error rolls back.
"""

from __future__ import annotations

from kernel.errors import DomainError, Invalid, TooManyRequests
from kernel.errors import Unauthorized as _Unauthorized


class KeptRefusal(DomainError):
    """Marker: commit what the use case wrote, then answer with this error."""


class InvalidCredentials(KeptRefusal, _Unauthorized):
    """Unknown username, wrong password, disabled account, no password set: one answer."""

    code = "auth.invalid_credentials"
    title_zh = "用户名或密码错误"
    title_en = "Invalid username or password"


class RetryLater(TooManyRequests):
    """A refusal that says when to try again (``Retry-After``)."""

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"retry after {retry_after_s} s")
        self.retry_after_s = retry_after_s


class AccountLocked(RetryLater):
    """Too many failed logins for this username; nothing tells whether it exists."""

    code = "auth.locked"
    title_zh = "登录失败次数过多，请稍后再试"
    title_en = "Too many failed logins; try again later"


class Throttled(RetryLater):
    """Too many failed sign-in attempts from this client address (any accounts)."""

    code = "auth.throttled"
    title_zh = "尝试次数过多，请稍后再试"
    title_en = "Too many attempts from this address; try again later"


class RefreshInvalid(KeptRefusal, _Unauthorized):
    code = "auth.refresh_invalid"
    title_zh = "登录已失效，请重新登录"
    title_en = "The refresh token is not valid; sign in again"


class RefreshReused(KeptRefusal, _Unauthorized):
    code = "auth.refresh_reused"
    title_zh = "检测到刷新令牌被重复使用，该登录已全部失效，请重新登录"
    title_en = "A used refresh token was presented again; the whole session was revoked"


class InvalidClient(KeptRefusal, _Unauthorized):
    code = "auth.invalid_client"
    title_zh = "客户端身份验证失败"
    title_en = "Client authentication failed"


class TokenRequestInvalid(DomainError):
    """A malformed token request (HTTP 400, as OAuth 2 wants)."""

    code = "auth.invalid_request"
    title_zh = "令牌请求不完整或格式不正确"
    title_en = "Malformed token request"


class UnsupportedGrantType(DomainError):
    code = "auth.unsupported_grant_type"
    title_zh = "不支持的授权类型"
    title_en = "Unsupported grant_type"


class InvalidScope(DomainError):
    code = "auth.invalid_scope"
    title_zh = "申请的权限范围未授予该客户端"
    title_en = "The requested scope is not granted to this client"


class WeakPassword(Invalid):
    code = "auth.weak_password"
    title_zh = "密码不符合安全要求"
    title_en = "The password does not meet the policy"
