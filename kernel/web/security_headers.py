"""Security headers on every response, set in one small ASGI middleware:

* ``X-Content-Type-Options: nosniff`` everywhere;
* ``Cache-Control: no-store`` on everything under ``/api/`` (an authenticated API whose answers
  carry personal data, masked or whole; a route may set its own ``Cache-Control``, e.g. a file
  download, and keeps it);
* ``Strict-Transport-Security`` when the request came over TLS: the scheme is https, or a
  trusted proxy (``<PREFIX>TRUSTED_PROXIES``) says so in ``X-Forwarded-Proto``.

A header of the same name relayed from a service behind the gateway is replaced, never doubled."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kernel.requestid import TrustedProxies

HSTS = b"max-age=31536000; includeSubDomains"
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")
_HSTS = b"strict-transport-security"
_FORWARDED_PROTO = b"x-forwarded-proto"
#: Always this middleware's own: one of each, and HSTS only when this request was over TLS.
_OWN = frozenset({_NOSNIFF[0], _HSTS})


class SecurityHeaders:
    def __init__(self, app: ASGIApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    def _over_tls(self, scope: Scope) -> bool:
        if scope.get("scheme") == "https":
            return True
        client = scope.get("client")
        if not self.trusted.trusts(client[0] if client else None):
            return False
        for name, value in scope.get("headers", ()):
            if name == _FORWARDED_PROTO:
                return bool(value.split(b",")[0].strip().lower() == b"https")
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = str(scope.get("path", "")).startswith("/api/")
        tls = self._over_tls(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OWN]
                headers.append(_NOSNIFF)
                if api and not any(k.lower() == _NO_STORE[0] for k, _ in headers):
                    headers.append(_NO_STORE)
                if tls:
                    headers.append((_HSTS, HSTS))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
