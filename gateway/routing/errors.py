"""Errors the gateway answers on behalf of a downstream service, and a contract that cannot be merged."""

from __future__ import annotations

from kernel.errors import NotFound, TimedOut, TooLarge, Unavailable


class UnknownService(NotFound):
    code = "route_not_found"
    title_zh = "请求的地址不存在"
    title_en = "No such route"


class UpstreamUnavailable(Unavailable):
    code = "upstream.unavailable"
    title_zh = "下游服务暂时不可用，请稍后重试"
    title_en = "The service behind this route is unavailable"


class UpstreamTimeout(TimedOut):
    code = "upstream.timeout"
    title_zh = "下游服务响应超时，请稍后重试"
    title_en = "The service behind this route timed out"


class BodyTooLarge(TooLarge):
    code = "request.too_large"
    title_zh = "请求体过大"
    title_en = "Request body too large"


class ContractConflict(ValueError):
    """Two documents declare the same path, operation id or (differently) the same schema."""
