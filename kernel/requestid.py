"""Request ids: taken from ``X-Request-ID`` when the caller sends a sane one,
made up otherwise; kept in a context variable for logs, problems and
downstream calls (see ``kernel.observability`` for the middleware)."""

from __future__ import annotations

import ipaddress
import re
import uuid
from contextvars import ContextVar, Token
from dataclasses import dataclass

REQUEST_ID_HEADER = "x-request-id"
_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)
_SANE = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def current_request_id() -> str | None:
    return _request_id.get()


def new_request_id() -> str:
    return uuid.uuid4().hex


def accept_or_new(value: str | None) -> str:
    return value if value and _SANE.match(value) else new_request_id()


def bind_request_id(rid: str) -> Token[str | None]:
    return _request_id.set(rid)


def reset_request_id(token: Token[str | None]) -> None:
    _request_id.reset(token)


def current_client_ip() -> str | None:
    return _client_ip.get()


def bind_client_ip(ip: str | None) -> Token[str | None]:
    return _client_ip.set(ip)


def reset_client_ip(token: Token[str | None]) -> None:
    _client_ip.reset(token)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class TrustedProxies:
    """The peers whose ``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed
    (``<PREFIX>TRUSTED_PROXIES``: addresses or networks, comma-separated)."""

    networks: tuple[Network, ...]

    @classmethod
    def parse(cls, spec: str) -> TrustedProxies:
        networks = []
        for item in filter(None, (p.strip() for p in spec.split(","))):
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"trusted_proxies: {item!r} is not an address or a network") from None
        return cls(tuple(networks))

    def trusts(self, address: str | None) -> bool:
        if not address or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client(self, peer: str | None, forwarded_for: str | None) -> str | None:
        """The client's address: the direct peer, unless it is a trusted proxy; then the
        rightmost address of ``X-Forwarded-For`` that is not a trusted proxy (what is left of
        it was written by the client and is not believed), or the leftmost if all are."""
        if not forwarded_for or not self.trusts(peer):
            return peer
        hops = [h.strip() for h in forwarded_for.split(",")]
        for hop in reversed(hops):
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return peer  # a malformed chain: believe only the peer
            if not self.trusts(hop):
                return hop
        return hops[0]
