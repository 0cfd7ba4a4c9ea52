"""Domain errors: no HTTP here. Each error has a stable machine ``code`` and a
title in Chinese and English; the web edge (``kernel.problems``) maps each
*kind* to a status code in one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field (``field`` is a dotted path, e.g. ``body.region_code``)."""

    field: str
    code: str
    message: str


class DomainError(Exception):
    """Base class. Subclasses set ``code``, ``title_zh`` and ``title_en``."""

    code: ClassVar[str] = "error"
    title_zh: ClassVar[str] = "请求无法处理"
    title_en: ClassVar[str] = "The request cannot be processed"
    headers: ClassVar[dict[str, str]] = {}

    def __init__(self, detail: str | None = None, *, errors: list[FieldError] | None = None,
                 extra: dict[str, object] | None = None) -> None:
        super().__init__(detail or self.title_en)
        self.detail = detail
        self.errors: list[FieldError] = errors or []
        self.extra: dict[str, object] = extra or {}

    def title(self, language: str) -> str:
        return self.title_en if language == "en" else self.title_zh


class NotFound(DomainError):
    """The record does not exist, or is outside the caller's scope (indistinguishable)."""

    code = "not_found"
    title_zh = "记录不存在"
    title_en = "Not found"


class Invalid(DomainError):
    """Well-formed input that breaks a rule (an unknown reference, an impossible value)."""

    code = "invalid"
    title_zh = "数据不符合业务规则"
    title_en = "The data breaks a business rule"


class Conflict(DomainError):
    """The request clashes with the current state (duplicate, wrong state)."""

    code = "conflict"
    title_zh = "与现有数据冲突"
    title_en = "Conflicts with existing data"


class PreconditionFailed(DomainError):
    code = "precondition_failed"
    title_zh = "数据已被他人修改，请刷新后重试"
    title_en = "The record was changed by someone else"


class PreconditionRequired(DomainError):
    code = "precondition_required"
    title_zh = "更新请求须携带 If-Match 版本号"
    title_en = "Updates must carry If-Match"


class Unavailable(DomainError):
    """A dependency is temporarily unavailable; retrying later may succeed."""

    headers = {"Retry-After": "1"}  # noqa: RUF012
    code = "unavailable"
    title_zh = "服务暂时不可用，请稍后重试"
    title_en = "Temporarily unavailable, retry later"


class TimedOut(DomainError):
    """Something this request waited on did not answer in time."""

    code = "timeout"
    title_zh = "处理超时，请稍后重试"
    title_en = "Timed out"


class TooManyRequests(DomainError):
    code = "too_many_requests"
    title_zh = "请求过于频繁，请稍后再试"
    title_en = "Too many requests"


class Unauthorized(DomainError):
    """No valid credentials (HTTP 401)."""

    headers = {"WWW-Authenticate": 'Bearer realm="anju"'}  # noqa: RUF012
    code = "unauthenticated"
    title_zh = "未登录或登录已过期"
    title_en = "Authentication required"


class Denied(DomainError):
    """Valid credentials, but the role may not do this (HTTP 403)."""

    code = "forbidden"
    title_zh = "无权执行此操作"
    title_en = "Forbidden"


class TooLarge(DomainError):
    code = "too_large"
    title_zh = "请求过大"
    title_en = "Request too large"


class UnsupportedMediaType(DomainError):
    """The body (or an uploaded file) is not of a type the route accepts."""

    code = "unsupported_media_type"
    title_zh = "不支持的文件或内容类型"
    title_en = "Unsupported media type"


@dataclass(frozen=True, slots=True)
class ConstraintErrors:
    """Maps database constraint names to the domain error their violation means."""

    by_name: dict[str, type[DomainError]] = field(default_factory=dict)

    def lookup(self, constraint: str | None) -> type[DomainError] | None:
        return self.by_name.get(constraint or "")
