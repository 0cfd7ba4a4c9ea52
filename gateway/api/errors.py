"""Errors the gateway answers on behalf of a downstream service, and its own handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from starlette.responses import JSONResponse

from gateway.domain.errors import AccountLocked
from kernel.errors import NotFound, TimedOut, TooLarge, Unavailable
from kernel.web.problems import problem_response, request_language, status_for


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


def install_gateway_handlers(app: FastAPI) -> None:
    """A lockout answers like any problem, with ``Retry-After`` telling when to try again."""

    @app.exception_handler(AccountLocked)
    async def _locked(request: Request, exc: AccountLocked) -> JSONResponse:
        language = request_language(request, app.state.settings.default_language)
        return problem_response(request, status=status_for(exc), code=exc.code, title=exc.title(language),
                                headers={"Retry-After": str(exc.retry_after_s)})
