"""RFC 9457 problem details: the one mapping from errors to HTTP responses.

Every error leaves a service as ``application/problem+json`` with a stable
``code``, a title in Chinese (English on ``Accept-Language: en``), the request
id and, for input errors, field errors. Bodies never echo the request input.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from kernel import errors as e
from kernel.requestid import current_request_id
from kernel.vocabulary import LabelledEnum

log = structlog.get_logger("kernel.problems")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:anju:problem:"

#: The one table from error kind to status code.
STATUS_BY_KIND: list[tuple[type[e.DomainError], int]] = [
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.PreconditionFailed, 412),
    (e.PreconditionRequired, 428),
    (e.Invalid, 422),
    (e.Unavailable, 503),
    (e.TimedOut, 504),
    (e.TooLarge, 413),
    (e.UnsupportedMediaType, 415),
    (e.Unauthorized, 401),
    (e.Denied, 403),
    (e.TooManyRequests, 429),
]


def status_for(error: e.DomainError) -> int:
    for kind, status in STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


class ProblemFieldError(BaseModel):
    field: str = Field(description="出错字段的路径，如 body.region_code")
    code: str = Field(description="稳定的错误代码")
    message: str = Field(description="错误说明")


class Problem(BaseModel):
    """RFC 9457 problem details, as every error response carries them."""

    type: str = Field(description="问题类型 URI")
    title: str = Field(description="简短说明（默认中文，Accept-Language: en 时为英文）")
    status: int
    code: str = Field(description="稳定的机器可读错误代码")
    detail: str | None = None
    instance: str | None = None
    request_id: str | None = None
    errors: list[ProblemFieldError] = Field(default_factory=list)


_DESCRIPTIONS = {
    400: "请求无法解析（如请求体不是 UTF-8 编码的 JSON）",
    401: "未认证",
    403: "无权操作",
    404: "记录不存在",
    409: "与现有数据冲突",
    412: "版本已变化",
    422: "请求参数不合法",
    428: "缺少 If-Match",
    413: "请求过大",
    415: "不支持的内容类型",
    429: "请求过多",
    502: "下游服务响应异常",
    503: "服务暂时不可用",
    504: "下游服务超时",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route: each status documented as problem+json.

    422 and 503 are always included: any route can fail input validation or
    find its database unavailable.
    """
    wanted = sorted(set(statuses) | {422, 503})
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS.get(status, "错误"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in wanted
    }


def request_language(request: Request, default: str = "zh") -> str:
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()
    if first.startswith("en"):
        return "en"
    if first.startswith("zh"):
        return "zh"
    return default


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: list[e.FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "code": code,
        "instance": request.url.path,
        "request_id": current_request_id(),
        "errors": [{"field": f.field, "code": f.code, "message": f.message} for f in errors or []],
    }
    if detail:
        body["detail"] = detail
    if extra:
        body.update({k: v for k, v in extra.items() if k not in body})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


# Chinese messages for the pydantic error types clients meet most.
_VALIDATION_MESSAGES_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "不允许的字段",
    "string_type": "应为字符串",
    "string_too_short": "长度过短",
    "string_too_long": "长度过长",
    "string_pattern_mismatch": "格式不正确",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "decimal_parsing": "应为数值",
    "decimal_type": "应为数值",
    "decimal_max_places": "小数位数过多",
    "decimal_max_digits": "数值位数过多",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "enum": "不是允许的取值",
    "literal_error": "不是允许的取值",
    "uuid_type": "应为 UUID",
    "uuid_parsing": "应为 UUID",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "date_type": "应为日期",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_type": "应为时间",
    "datetime_parsing": "应为带时区的时间",
    "datetime_from_date_parsing": "应为带时区的时间",
    "timezone_aware": "时间须带时区",
    "json_invalid": "请求体不是合法的 JSON",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "dict_type": "应为对象",
    "list_type": "应为数组",
    "too_short": "元素过少",
    "too_long": "元素过多",
    "value_error": "取值不合法",
}


_MALFORMED = ("请求无法解析，请检查请求体的格式与编码（UTF-8）", "The request could not be parsed")


def _choices_message(expected: str) -> str:
    """The Chinese message of a bad enum or literal value: the allowed values, each with its label
    when the values are those of one labelled vocabulary (``kernel.vocabulary.LabelledEnum``; the
    error does not name the class, so it is found by its values), else the values alone."""
    values = re.findall(r"'((?:[^'\\]|\\.)*)'", expected) or [expected]
    wanted, labels = set(values), dict[str, str]()
    stack: list[type[LabelledEnum]] = [LabelledEnum]
    while stack and not labels:
        kind = stack.pop()
        stack.extend(kind.__subclasses__())
        if kind is not LabelledEnum and {m.value for m in kind} == wanted:
            labels = {m.value: m.label for m in kind}
    shown = [f"{v}（{labels[v]}）" if labels.get(v, v) != v else v for v in values]
    return "不是允许的取值，可选：" + "、".join(shown)


def _field_errors(exc: RequestValidationError, language: str) -> list[e.FieldError]:
    out: list[e.FieldError] = []
    for err in exc.errors():
        loc = ".".join(str(part) for part in err.get("loc", ()))
        kind = str(err.get("type", "invalid"))
        if language == "en":
            message = str(err.get("msg", "invalid"))
        else:
            message = _VALIDATION_MESSAGES_ZH.get(kind, "取值不合法")
            # Our own validators carry a Chinese message in the error context.
            ctx_error = (err.get("ctx") or {}).get("error")
            if kind == "value_error" and ctx_error is not None:
                message = str(ctx_error)
            expected = (err.get("ctx") or {}).get("expected")
            if kind in ("enum", "literal_error") and isinstance(expected, str):
                message = _choices_message(expected)
        out.append(e.FieldError(field=loc, code=kind, message=message))
    return out


def _constraint_name(exc: IntegrityError) -> str | None:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if name:
            return str(name)
    return None


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout | ConnectionError | OSError):
        return True
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        orig = getattr(exc, "orig", None)
        sqlstate = str(getattr(orig, "sqlstate", None) or getattr(getattr(orig, "__cause__", None), "sqlstate", "")
                       or "")
        # serialization failure, deadlock, cannot connect now, admin shutdown, query canceled
        return bool(sqlstate) and (sqlstate in {"40001", "40P01", "57P01", "57P03", "57014"}
                                   or sqlstate.startswith("08"))
    return False


def _allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method some route serves at ``path`` (a 405's ``Allow``, RFC 9110 §15.5.6): the router
    names only the first route whose path matched."""
    methods: set[str] = set()
    for ctx in iter_route_contexts(app.routes):
        route = ctx.original_route
        regex, served = getattr(route, "path_regex", None), getattr(route, "methods", None)
        if regex is not None and served and regex.match(path):
            methods |= set(served)
    return sorted(methods)


def install_problem_handlers(app: FastAPI, constraint_errors: e.ConstraintErrors | None = None,
                             default_language: str = "zh") -> None:
    constraints = constraint_errors or e.ConstraintErrors()

    def lang(request: Request) -> str:
        return request_language(request, default_language)

    @app.exception_handler(e.DomainError)
    async def _domain(request: Request, exc: e.DomainError) -> JSONResponse:
        headers = dict(exc.headers) or None
        return problem_response(request, status=status_for(exc), code=exc.code,
                                title=exc.title(lang(request)), detail=exc.detail,
                                errors=exc.errors, headers=headers, extra=exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        language = lang(request)
        if any(err.get("type") == "json_invalid" for err in exc.errors()):
            # A body that is not JSON at all (cut short, not UTF-8): it could not be parsed, which
            # is a 400 like every other unparseable body, not a field that failed validation.
            return problem_response(request, status=400, code="malformed_request",
                                    title=_MALFORMED[1] if language == "en" else _MALFORMED[0])
        return problem_response(
            request, status=422, code="validation_failed",
            title="Request validation failed" if language == "en" else "请求参数不合法",
            errors=_field_errors(exc, language),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        language = lang(request)
        code = {400: "malformed_request", 404: "route_not_found",
                405: "method_not_allowed"}.get(exc.status_code, "http_error")
        titles = {
            400: _MALFORMED,
            404: ("请求的地址不存在", "No such route"),
            405: ("不支持该请求方法", "Method not allowed"),
        }.get(exc.status_code, (_DESCRIPTIONS.get(exc.status_code, "请求无效"), "HTTP error"))
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(app, request.url.path)) or headers.get("Allow", "")
        return problem_response(request, status=exc.status_code, code=code,
                                title=titles[1] if language == "en" else titles[0], headers=headers or None)

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        mapped = constraints.lookup(_constraint_name(exc))
        if mapped is not None:
            return await _domain(request, mapped())
        return await _domain(request, e.Conflict())

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        # A concurrent update won the race between our read and our write.
        return await _domain(request, e.PreconditionFailed())

    async def _transient(request: Request, exc: Exception) -> JSONResponse:
        if _is_transient(exc):
            log.warning("transient_error", error=type(exc).__name__)
            return await _domain(request, e.Unavailable())
        log.error("database_error", error=type(exc).__name__, exc_info=exc)
        language = lang(request)
        return problem_response(request, status=500, code="internal_error",
                                title="Internal error" if language == "en" else "服务器内部错误")

    # Registered per class (not for ``Exception``) so they answer without re-raising.
    for kind in (DBAPIError, PoolTimeout, TimeoutError, ConnectionError):
        app.add_exception_handler(kind, _transient)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", error=type(exc).__name__)
        language = lang(request)
        return problem_response(request, status=500, code="internal_error",
                                title="Internal error" if language == "en" else "服务器内部错误")
