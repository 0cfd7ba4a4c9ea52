"""Who is calling and what they may do: roles, the principal a verified token yields, and
the scope rule (each service declares its permission table: ``kernel.auth.permissions``). Pure: no
HTTP, no I/O.

The token (issued by the gateway, verified by every service) carries::

    iss "anju-gateway"   aud [service names]   sub "user:<uuid>" | "client:<id>"
    typ "user"|"client"  name   roles [..]     region "<12-digit code>" | null
    projects [uuid..]    scope "projects:read ..." (clients)   iat nbf exp jti
    household "<uuid>" (a resident's own household, when linked)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from kernel.auth import permissions
from kernel.auth.roles import Role
from kernel.errors import Denied, Unauthorized
from kernel.regions import significant_prefix

ISSUER = "anju-gateway"


class Unauthenticated(Unauthorized):
    code = "auth.unauthenticated"
    title_zh = "未登录或登录已过期"
    title_en = "Authentication required"


class Forbidden(Denied):
    code = "auth.forbidden"
    title_zh = "当前角色无权执行此操作"
    title_en = "Your role may not do this"


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    kind: str  # "user" | "client"
    name: str
    roles: frozenset[Role]
    region_code: str | None  # 12-digit code of the caller's region; None: no region scope
    project_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    household_id: uuid.UUID | None = None  # a resident's own household (claim "household")
    system: bool = False  # internal work (demo load, checks disabled for a benchmark): no scope

    def may(self, permission: str) -> bool:
        """Whether a role of the caller holds the permission (from the tables the loaded services
        declared, ``kernel.auth.permissions``); a machine client also needs a scope granting it."""
        if not self.roles & permissions.roles_holding(permission):
            return False
        if self.kind == "client":
            return any(permission in permissions.granted_by_scope(s) for s in self.scopes)
        return True

    @property
    def scope(self) -> DataScope:
        return DataScope.of(self)


@dataclass(frozen=True, slots=True)
class DataScope:
    """Which records a caller sees. A task-force member sees the projects of their
    force (and nothing else); everyone else the records inside their region
    (``region_prefix``: the significant digits of their region code). A caller
    with neither sees nothing. ``unrestricted`` is for system work only."""

    region_prefix: str | None
    project_ids: frozenset[uuid.UUID] | None
    unrestricted: bool = False

    @classmethod
    def of(cls, p: Principal) -> DataScope:
        if p.system:
            return cls.everything()
        if p.roles == {Role.taskforce_member}:
            return cls(region_prefix=None, project_ids=p.project_ids)
        prefix = significant_prefix(p.region_code) if p.region_code else None
        return cls(region_prefix=prefix, project_ids=p.project_ids if Role.taskforce_member in p.roles else None)

    @classmethod
    def everything(cls) -> DataScope:
        return cls(region_prefix=None, project_ids=None, unrestricted=True)

    def allows(self, region_code: str | None, project_id: uuid.UUID | None = None) -> bool:
        if self.unrestricted:
            return True
        if self.project_ids and project_id is not None and project_id in self.project_ids:
            return True
        return bool(self.region_prefix and region_code and region_code.startswith(self.region_prefix))


def principal_from_claims(claims: dict[str, object]) -> Principal:
    """Build the principal from verified claims; unknown roles are ignored. A token whose claims are
    malformed (a project or household that is no UUID, a region that is no 12-digit code) identifies
    nobody, however well it is signed: 401."""
    try:
        roles = frozenset(Role(r) for r in _strings(claims.get("roles")) if r in Role.__members__)
        projects = frozenset(uuid.UUID(p) for p in _strings(claims.get("projects")))
        region = claims.get("region")
        scope = claims.get("scope")
        household = claims.get("household")
        if region and not (isinstance(region, str) and len(region) == 12 and region.isdigit()):
            raise ValueError("region")
        return Principal(
            subject=str(claims["sub"]),
            kind=str(claims.get("typ", "user")),
            name=str(claims.get("name", "")),
            roles=roles,
            region_code=str(region) if region else None,
            project_ids=projects,
            scopes=frozenset(str(scope).split()) if scope else frozenset(),
            household_id=uuid.UUID(str(household)) if household else None,
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise Unauthenticated() from exc


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


SYSTEM = Principal(subject="system", kind="system", name="系统", roles=frozenset({Role.admin}),
                   region_code=None, system=True)
