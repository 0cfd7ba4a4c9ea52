"""The rules of a machine client (pure): the form of its client id, and the scopes it may be granted."""

from __future__ import annotations

import re
from collections.abc import Iterable

from gateway.clients.errors import InvalidClientSpec
from kernel.auth.permissions import CLIENT_SCOPES
from kernel.errors import FieldError

CLIENT_ID_PATTERN = r"^[a-z0-9][a-z0-9._-]{2,63}$"
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


def check_client_id(client_id: str) -> None:
    if not _CLIENT_ID.match(client_id):
        raise InvalidClientSpec(errors=[FieldError("body.client_id", "client_id_format",
                                                   "客户端 ID 须为 3–64 位小写字母、数字或 ._-")])


def chosen_scopes(scopes: Iterable[str]) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in CLIENT_SCOPES]
    if unknown or not chosen:
        raise InvalidClientSpec(errors=[FieldError("body.scopes", "unknown_scope",
                                                   f"可选权限范围：{'、'.join(sorted(CLIENT_SCOPES))}")])
    return chosen
