"""Errors of machine clients (no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, DomainError, Invalid, NotFound


class ClientIdTaken(Conflict):
    code = "client.id_taken"
    title_zh = "客户端 ID 已被使用"
    title_en = "The client_id is taken"


class ClientNotFound(NotFound):
    code = "client.not_found"
    title_zh = "客户端不存在"
    title_en = "Client not found"


class InvalidClientSpec(Invalid):
    code = "client.invalid"
    title_zh = "客户端信息不符合要求"
    title_en = "The client data breaks a rule"


#: What a violated database constraint means, for the races that slip past the checks.
CONSTRAINTS: dict[str, type[DomainError]] = {
    "uq_api_client_client_id": ClientIdTaken,
}
