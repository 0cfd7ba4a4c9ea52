"""Permissions: the mechanism. Each service declares its own table (``services/<name>/permissions.py``:
which roles may do what) with ``declare``; routes name a permission (``kernel.web.auth.Authorize``);
the route documentation and the authorization matrix tests are generated from the tables.

The kernel declares only the permissions of its own routes (the audit trail, the event feeds, the
reveal of sealed personal data) and the OAuth scopes a machine client may hold, because the gateway
(which grants scopes) and the services (which honour them) must agree on them, as on roles.
Pure: no HTTP, no I/O."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from kernel.auth.roles import Role

#: Every staff role (everyone but residents and machine clients).
STAFF = frozenset(Role) - {Role.resident, Role.integration}

#: Permissions of the kernel's own routes, present in every service.
KERNEL_PERMISSIONS: Mapping[str, frozenset[Role]] = MappingProxyType({
    "audit.read": frozenset({Role.admin, Role.auditor}),
    "pii.reveal": frozenset({Role.admin}),
    "events.read": frozenset({Role.admin, Role.integration}),
    "events.manage": frozenset({Role.admin}),
})

#: OAuth scopes a machine client may hold, and the permissions each grants.
CLIENT_SCOPES: Mapping[str, frozenset[str]] = MappingProxyType({
    "regions:read": frozenset({"regions.read"}),
    "projects:read": frozenset({"projects.read"}),
    "events:read": frozenset({"events.read"}),  # the services' own consumers
})

_declared: dict[str, frozenset[Role]] = dict(KERNEL_PERMISSIONS)


def declare(table: Mapping[str, frozenset[Role]]) -> Mapping[str, frozenset[Role]]:
    """Add a service's table to the permissions this process knows (several apps may share one
    process, as in the tests); a permission declared twice must name the same roles. Answers the
    table, read-only, for the service's ``PERMISSIONS``."""
    for name, roles in table.items():
        held = _declared.get(name)
        if held is not None and held != roles:
            raise ValueError(f"permission {name!r} declared twice with different roles")
    _declared.update(table)
    return MappingProxyType(dict(table))


def known(permission: str) -> bool:
    return permission in _declared


def roles_holding(permission: str) -> frozenset[Role]:
    """The roles that hold a permission; an undeclared permission is a programming error."""
    try:
        return _declared[permission]
    except KeyError:
        raise KeyError(f"unknown permission {permission!r}") from None


def granted_by_scope(scope: str) -> frozenset[str]:
    return CLIENT_SCOPES.get(scope, frozenset())
