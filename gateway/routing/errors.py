"""Errors the gateway answers on behalf of a downstream service, and a contract that cannot be merged."""

from __future__ import annotations

from kernel.errors import FieldError, NotFound, TimedOut, TooLarge, Unavailable


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


def body_too_large(max_upload_bytes: int) -> BodyTooLarge:
    """Names the limit: ``max_bytes`` (the largest file, as the services name theirs) and in MB."""
    megabytes = max(max_upload_bytes // (1024 * 1024), 1)
    return BodyTooLarge(f"body over {max_upload_bytes} bytes (and its multipart envelope)", errors=[
        FieldError("body", "too_large", f"请求体过大：上传的文件不能超过 {megabytes} MB")],
        extra={"max_bytes": max_upload_bytes})


class ContractConflict(ValueError):
    """Two documents declare the same path, operation id or (differently) the same schema."""
