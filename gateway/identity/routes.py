"""Routes: signing in (users and machine clients), refreshing, signing out, and who am I;
and the answer to a lockout (``Retry-After``)."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI, Request, Response, status
from starlette.responses import JSONResponse

from gateway.accounts import user_read
from gateway.identity import service as uc
from gateway.identity.errors import RetryLater, TokenRequestInvalid, UnsupportedGrantType
from gateway.identity.schemas import ClientTokenResponse, LoginRequest, Me, RefreshRequest, TokenPair
from gateway.identity.service import Identity
from gateway.permissions import Caller, IdentityDep, SignInSessionDep
from kernel.errors import FieldError
from kernel.web.deps import api_router
from kernel.web.problems import problem_response, problem_responses, request_language, status_for

router = api_router("/api/v1/auth", "auth")

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
_FORM = "application/x-www-form-urlencoded"
_MAX_FORM_BYTES = 4096


def _no_store(response: Response) -> None:
    response.headers.update(_NO_STORE)


def _pair(ident: Identity, issued: uc.IssuedTokens) -> TokenPair:
    return TokenPair(access_token=issued.access_token, expires_in=issued.expires_in,
                     refresh_token=issued.refresh_token, refresh_expires_in=issued.refresh_expires_in,
                     user=user_read(ident, issued.user).model_copy(update={"project_ids": issued.project_ids}))


@router.post("/login", response_model=TokenPair, summary="用户登录（用户名和密码）",
             description="成功时返回访问令牌（15 分钟）和刷新令牌。用户名不存在、密码错误、账号停用均返回同一错误 "
                         "`auth.invalid_credentials`；同一用户名 15 分钟内失败 5 次后返回 429 `auth.locked`"
                         "（带 Retry-After），在此期间即使密码正确也不能登录。"
                         "同一客户端地址在登录、刷新令牌和外部系统令牌接口上每分钟失败超过 20 次后返回 429 "
                         "`auth.throttled`（带 Retry-After）；成功的登录不计入。"
                         "返回的 `user.project_ids` 与访问令牌所含的项目一致（含工作专班项目）。",
             responses=problem_responses(401, 429))
async def log_in(body: LoginRequest, session: SignInSessionDep, ident: IdentityDep,
                 response: Response) -> TokenPair:
    _no_store(response)
    return _pair(ident, await uc.login(session, ident, body.username, body.password))


@router.post("/refresh", response_model=TokenPair, summary="刷新令牌（换发新的一对令牌）",
             description="刷新令牌只能使用一次：使用后换发新的刷新令牌。已使用过的刷新令牌再次出现时，"
                         "该登录的全部令牌立即失效（`auth.refresh_reused`），须重新登录。"
                         "同一客户端地址失败过多时返回 429 `auth.throttled`（带 Retry-After）。",
             responses=problem_responses(401, 429))
async def refresh_tokens(body: RefreshRequest, session: SignInSessionDep, ident: IdentityDep,
                         response: Response) -> TokenPair:
    _no_store(response)
    return _pair(ident, await uc.refresh(session, ident, body.refresh_token))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT, summary="退出登录",
             description="使该刷新令牌所属登录的全部刷新令牌失效。未知的令牌同样返回 204。"
                         "已签发的访问令牌在到期前仍然有效。")
async def log_out(body: RefreshRequest, session: SignInSessionDep) -> Response:
    await uc.logout(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _form(raw: bytes) -> dict[str, str]:
    try:
        parsed = parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False, max_num_fields=16)
    except (UnicodeDecodeError, ValueError) as exc:
        raise TokenRequestInvalid("malformed form body") from exc
    repeated = [k for k, v in parsed.items() if len(v) != 1]
    if repeated:
        raise TokenRequestInvalid(errors=[FieldError(f"body.{k}", "repeated", "参数重复") for k in repeated])
    return {k: v[0] for k, v in parsed.items()}


def _basic(header: str) -> tuple[str, str] | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise TokenRequestInvalid("malformed Basic credentials") from exc
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise TokenRequestInvalid("malformed Basic credentials")
    return unquote(client_id), unquote(secret)  # RFC 6749 §2.3.1: form-urlencoded first


_TOKEN_BODY = {
    "required": True,
    "content": {_FORM: {"schema": {
        "type": "object",
        "required": ["grant_type"],
        "properties": {
            "grant_type": {"type": "string", "enum": ["client_credentials"]},
            "client_id": {"type": "string", "description": "客户端 ID（也可用 HTTP Basic 认证传递）"},
            "client_secret": {"type": "string", "description": "客户端密钥（也可用 HTTP Basic 认证传递）"},
            "scope": {"type": "string", "description": "申请的权限范围（空格分隔）；不填则为该客户端的全部权限",
                      "examples": ["projects:read regions:read"]},
        },
    }}},
}


@router.post("/token", response_model=ClientTokenResponse, summary="外部系统获取访问令牌（OAuth 2 客户端凭证）",
             description="`application/x-www-form-urlencoded`：`grant_type=client_credentials`，"
                         "客户端 ID 与密钥放在表单（client_id、client_secret）或 HTTP Basic 认证中。"
                         "同一客户端地址失败过多时返回 429 `auth.throttled`（带 Retry-After）。",
             openapi_extra={"requestBody": _TOKEN_BODY}, responses=problem_responses(400, 401, 429))
async def issue_client_token(request: Request, session: SignInSessionDep, ident: IdentityDep,
                             response: Response) -> ClientTokenResponse:
    _no_store(response)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != _FORM:
        raise TokenRequestInvalid(f"the body must be {_FORM}")
    raw = await request.body()
    if len(raw) > _MAX_FORM_BYTES:
        raise TokenRequestInvalid("the body is too large")
    form = _form(raw)
    grant = form.get("grant_type")
    if not grant:
        raise TokenRequestInvalid(errors=[FieldError("body.grant_type", "missing", "缺少 grant_type")])
    if grant != "client_credentials":
        raise UnsupportedGrantType()
    basic = _basic(request.headers.get("authorization", ""))
    in_form = (form.get("client_id"), form.get("client_secret"))
    if basic is not None and any(in_form):
        raise TokenRequestInvalid("client credentials given twice (Basic and form)")
    client_id, secret = basic if basic is not None else in_form
    if not client_id or not secret:
        raise TokenRequestInvalid(errors=[FieldError("body.client_id", "missing", "缺少客户端 ID 或密钥")])
    scopes = form.get("scope", "").split() or None
    issued = await uc.client_token(session, ident, client_id, secret, scopes)
    return ClientTokenResponse(access_token=issued.access_token, expires_in=issued.expires_in, scope=issued.scope)


@router.get("/me", response_model=Me, summary="当前调用者", responses=problem_responses(401))
async def get_me(caller: Caller) -> Me:
    return Me.of(caller)


def install_lockout_handler(app: FastAPI) -> None:
    """A lockout or a throttled address answers like any problem, with ``Retry-After``
    telling when to try again."""

    @app.exception_handler(RetryLater)
    async def _locked(request: Request, exc: RetryLater) -> JSONResponse:
        language = request_language(request, app.state.settings.default_language)
        return problem_response(request, status=status_for(exc), code=exc.code, title=exc.title(language),
                                headers={"Retry-After": str(exc.retry_after_s)})
