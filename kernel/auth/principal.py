"""Who is calling and what they may do: roles, the one permission table, the
principal a verified token yields, and the scope rule. Pure: no HTTP, no I/O.

The token (issued by the gateway, verified by every service) carries::

    iss "anju-gateway"   aud [service names]   sub "user:<uuid>" | "client:<id>"
    typ "user"|"client"  name   roles [..]     region "<12-digit code>" | null
    projects [uuid..]    scope "projects:read ..." (clients)   iat nbf exp jti
    household "<uuid>" (a resident's own household, when linked)
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from kernel.errors import Denied, Unauthorized
from kernel.regions import significant_prefix

ISSUER = "anju-gateway"


class Role(enum.StrEnum):
    admin = "admin"
    city_commander = "city_commander"
    district_commander = "district_commander"
    street_officer = "street_officer"
    taskforce_member = "taskforce_member"
    field_worker = "field_worker"
    housing_officer = "housing_officer"
    finance_officer = "finance_officer"
    auditor = "auditor"
    resident = "resident"
    integration = "integration"


ROLE_LABELS: dict[Role, str] = {
    Role.admin: "系统管理员",
    Role.city_commander: "市指挥部",
    Role.district_commander: "区指挥部",
    Role.street_officer: "街道干部",
    Role.taskforce_member: "工作专班成员",
    Role.field_worker: "一线征迁人员",
    Role.housing_officer: "住保/城改中心",
    Role.finance_officer: "财务人员",
    Role.auditor: "审计/纪检（只读）",
    Role.resident: "居民",
    Role.integration: "外部系统",
}

_STAFF = frozenset(Role) - {Role.resident, Role.integration}
_COMMAND = frozenset({Role.admin, Role.city_commander, Role.district_commander})
#: The people who run a project day to day: command, sub-district and its task force.
_PROJECT_WORK = _COMMAND | {Role.street_officer, Role.taskforce_member}

#: The one permission table: which roles may do what. Routes name a permission;
#: the route documentation and the authorization matrix test are generated from it.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "regions.read": _STAFF | {Role.integration},
    "regions.write": frozenset({Role.admin}),
    "projects.read": _STAFF | {Role.integration},
    "projects.write": _COMMAND,
    "stages.write": _COMMAND,                      # move a project through its stages
    "command.write": _COMMAND,                     # command units, people, responsibility chains, task forces
    "tasks.write": _PROJECT_WORK,                  # tasks, approvals, progress, documents
    "problems.write": _PROJECT_WORK | {Role.field_worker},  # problem ledger: register, progress, close
    "supervision.manage": _COMMAND,                # open, close and publish supervision items
    "supervision.report": _PROJECT_WORK,           # progress on a supervision item
    "escalations.manage": _COMMAND,                # escalation rules, resolving firings, running jobs
    "parcels.write": _COMMAND,
    "consultations.manage": _PROJECT_WORK,         # rounds, eligible households, close
    "consultations.read": _STAFF | {Role.resident},
    # A resident votes for their own household; staff enter field-team and paper votes.
    "consultations.vote": frozenset({Role.resident, Role.street_officer, Role.taskforce_member,
                                     Role.field_worker, Role.admin}),
    "audit.read": frozenset({Role.admin, Role.auditor}),
    "users.read": frozenset({Role.admin, Role.auditor}),
    "users.write": frozenset({Role.admin}),
    "pii.reveal": frozenset({Role.admin}),
    "clients.write": frozenset({Role.admin}),
    "keys.manage": frozenset({Role.admin}),
    "events.read": frozenset({Role.admin, Role.integration}),
    "events.manage": frozenset({Role.admin}),
}

#: OAuth scopes a machine client may hold, and the permissions each grants.
CLIENT_SCOPES: dict[str, frozenset[str]] = {
    "regions:read": frozenset({"regions.read"}),
    "projects:read": frozenset({"projects.read"}),
    "events:read": frozenset({"events.read"}),  # the services' own consumers
}


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
        allowed = PERMISSIONS.get(permission)
        if allowed is None:
            raise KeyError(f"unknown permission {permission!r}")
        if not self.roles & allowed:
            return False
        if self.kind == "client":
            return any(permission in CLIENT_SCOPES.get(s, ()) for s in self.scopes)
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
    """Build the principal from verified claims; unknown roles are ignored."""
    roles = frozenset(Role(r) for r in _strings(claims.get("roles")) if r in Role.__members__)
    projects = frozenset(uuid.UUID(p) for p in _strings(claims.get("projects")))
    region = claims.get("region")
    scope = claims.get("scope")
    household = claims.get("household")
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


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def roles_for(permission: str) -> list[str]:
    return sorted(r.value for r in PERMISSIONS[permission])


SYSTEM = Principal(subject="system", kind="system", name="系统", roles=frozenset({Role.admin}),
                   region_code=None, system=True)
