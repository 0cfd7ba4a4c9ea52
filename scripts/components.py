"""The five deployables and how each is started: the one table that
``make run``, the container image and the Kubernetes manifests agree on
(``tests/deploy/test_manifests.py`` checks that they do)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Component:
    name: str
    module: str
    env_prefix: str
    port: int
    schema: str | None  # None: owns no database schema (yet)

    @property
    def serve_args(self) -> list[str]:
        """Arguments after ``python``: what the container runs."""
        return ["-m", self.module, "serve"]

    @property
    def migrate_args(self) -> list[str]:
        return ["-m", self.module, "migrate"]


SERVICES: tuple[Component, ...] = (
    Component("projects", "services.projects", "PROJECTS_", 8001, "projects"),
    Component("relocation", "services.relocation", "RELOCATION_", 8002, "relocation"),
    Component("housing", "services.housing", "HOUSING_", 8003, "housing"),
    Component("funding", "services.funding", "FUNDING_", 8004, "funding"),
)
GATEWAY = Component("gateway", "gateway", "GATEWAY_", 8000, "gateway")
ALL: tuple[Component, ...] = (*SERVICES, GATEWAY)
#: The deployables that own a schema: each gets a database, migrations and demo data.
WITH_DATABASE: tuple[Component, ...] = tuple(c for c in ALL if c.schema is not None)


def jwks_url(gateway_base: str) -> str:
    """Where every service fetches the gateway's token-signing keys (``<PREFIX>JWKS_URL``)."""
    return f"{gateway_base.rstrip('/')}/.well-known/jwks.json"


#: The services that follow other services' events, and so need a machine client,
#: with the producers each follows.
FEEDS: dict[str, tuple[str, ...]] = {
    "projects": ("relocation", "funding"),  # signings, progress, schemes, the dedicated account
    "relocation": ("projects",),
    "housing": ("projects",),
    "funding": ("projects",),
}


def feed_url(base: str, producer: str) -> str:
    return f"{base.rstrip('/')}/internal/v1/{producer}/events"


def service_env(component: Component, *, gateway_base: str, projects_base: str,
                bases: dict[str, str] | None = None) -> dict[str, str]:
    """How a service finds the others when run locally or in the end-to-end tests: the
    gateway's keys and token endpoint, the feeds it follows (``bases``: known service
    URLs; the projects one may also come as ``projects_base``), and its demo machine client."""
    from gateway.demo import demo_client_secret  # demo credentials: local run and tests only

    known = {"projects": projects_base, **(bases or {})}
    prefix = component.env_prefix
    env = {f"{prefix}JWKS_URL": jwks_url(gateway_base)}
    if component.name in FEEDS:
        client_id = f"svc-{component.name}"
        env |= {
            f"{prefix}TOKEN_URL": f"{gateway_base.rstrip('/')}/api/v1/auth/token",
            f"{prefix}CLIENT_ID": client_id,
            f"{prefix}CLIENT_SECRET": demo_client_secret(client_id),
        }
        for producer in FEEDS[component.name]:
            if known.get(producer):
                env[f"{prefix}{producer.upper()}_FEED_URL"] = feed_url(known[producer], producer)
    return env
