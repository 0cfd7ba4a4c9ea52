"""The deployment files agree with ``scripts/components.py`` and with Kubernetes.

* every manifest under ``deploy/k8s/`` validates (strictly: unknown fields fail)
  against the Kubernetes JSON schemas bundled with ``kubernetes-validate``;
* ``deploy/k8s/kustomization.yaml`` lists exactly the manifest files;
* each component's Deployment, Service, probes, migration Job (every component
  with a schema, the gateway included), compose service and the image's
  ENTRYPOINT/CMD use the component's module, port and prefix;
* every service verifies tokens with the gateway's published keys (JWKS URL).

No cluster, no Docker, no database.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scripts.components import ALL, GATEWAY, SERVICES, WITH_DATABASE, Component, jwks_url  # noqa: E402

DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUSTOMIZATION = K8S / "kustomization.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
POSTGRES_INIT = DEPLOY / "postgres-init"
NAMESPACE = "anju"
CONFIGMAP = "anju-config"
SECRET = "anju-secrets"

# The newest Kubernetes release whose schemas the installed kubernetes-validate bundles.
KUBERNETES_VERSION = kubernetes_validate.latest_version()

Manifest = dict[str, Any]


# --------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.y*ml") if p.name != KUSTOMIZATION.name)


def load_documents(path: Path) -> list[Manifest]:
    with path.open(encoding="utf-8") as f:
        return [doc for doc in yaml.safe_load_all(f) if doc is not None]


def all_documents() -> list[tuple[Path, Manifest]]:
    return [(path, doc) for path in manifest_files() for doc in load_documents(path)]


def doc_id(path: Path, doc: Manifest) -> str:
    name = doc.get("metadata", {}).get("name", "?") if isinstance(doc, dict) else "?"
    kind = doc.get("kind", "?") if isinstance(doc, dict) else "?"
    return f"{path.name}:{kind}/{name}"


DOCUMENTS = all_documents()


def by_kind(kind: str) -> dict[str, Manifest]:
    found: dict[str, Manifest] = {}
    for _, doc in DOCUMENTS:
        if doc.get("kind") == kind:
            name = doc["metadata"]["name"]
            assert name not in found, f"two {kind}s named {name}"
            found[name] = doc
    return found


def single(kind: str, name: str) -> Manifest:
    objects = by_kind(kind)
    assert name in objects, f"no {kind} named {name!r} under deploy/k8s (have {sorted(objects)})"
    return objects[name]


def pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = workload["spec"]["template"]["spec"]
    return spec


def only_container(workload: Manifest) -> Manifest:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: expected one container"
    container: Manifest = containers[0]
    return container


def resolve_port(container: Manifest, port: int | str) -> int:
    """A probe's or Service's port, by number or by the container port's name."""
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return int(p["containerPort"])
    raise AssertionError(f"container {container['name']} has no port named {port!r}")


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


# --------------------------------------------------------------------------
# schema validation
# --------------------------------------------------------------------------


def test_there_are_manifests() -> None:
    assert manifest_files(), "no manifests under deploy/k8s"
    assert DOCUMENTS


@pytest.mark.parametrize(("path", "doc"), DOCUMENTS, ids=[doc_id(path, doc) for path, doc in DOCUMENTS])
def test_manifest_validates_against_kubernetes_schema(path: Path, doc: Manifest) -> None:
    assert isinstance(doc, dict), f"{path.name}: a document is not a mapping"
    try:
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
    except kubernetes_validate.ValidationError as e:
        where = ".".join(str(p) for p in e.path) or "<root>"
        pytest.fail(f"{doc_id(path, doc)} is invalid for Kubernetes {e.version}: {where}: {e.message}")
    except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as e:
        pytest.fail(f"{doc_id(path, doc)} could not be validated: {e.message}")


def test_every_object_is_in_the_anju_namespace() -> None:
    for path, doc in DOCUMENTS:
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == NAMESPACE
        else:
            assert doc["metadata"].get("namespace") == NAMESPACE, doc_id(path, doc)


def test_object_names_are_unique_per_kind() -> None:
    seen: set[tuple[str, str]] = set()
    for path, doc in DOCUMENTS:
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in seen, f"duplicate {key} ({path.name})"
        seen.add(key)


# --------------------------------------------------------------------------
# kustomization
# --------------------------------------------------------------------------


def kustomization() -> Manifest:
    with KUSTOMIZATION.open(encoding="utf-8") as f:
        data: Manifest = yaml.safe_load(f)
    return data


def test_kustomization_lists_exactly_the_manifests() -> None:
    data = kustomization()
    assert data["kind"] == "Kustomization"
    assert data.get("namespace") == NAMESPACE
    listed = data["resources"]
    assert len(listed) == len(set(listed)), "a resource is listed twice"
    for entry in listed:
        assert (K8S / entry).is_file(), f"kustomization.yaml lists missing file {entry}"
    assert set(listed) == {p.name for p in manifest_files()}, (
        "every manifest under deploy/k8s must be listed in kustomization.yaml"
    )


def test_kustomization_images_match_the_manifests() -> None:
    images = {img["name"] for img in kustomization().get("images", [])}
    for _, doc in DOCUMENTS:
        if doc["kind"] in ("Deployment", "Job"):
            for c in pod_spec(doc)["containers"]:
                repo = re.sub(r":[^:/]+$", "", c["image"])
                assert repo in images, f"{doc['metadata']['name']}: image {repo} not in kustomization images"


# --------------------------------------------------------------------------
# the image
# --------------------------------------------------------------------------


def dockerfile_final_stage() -> list[str]:
    """Instructions of the last stage, continuation lines joined, comments dropped."""
    instructions: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        instructions.append(pending + line)
        pending = ""
    starts = [i for i, ins in enumerate(instructions) if ins.upper().startswith("FROM ")]
    assert starts, "Dockerfile has no FROM"
    return instructions[starts[-1] :]


def dockerfile_exec_form(instruction: str) -> list[str]:
    found = [ins for ins in dockerfile_final_stage() if ins.upper().startswith(instruction + " ")]
    assert found, f"final stage has no {instruction}"
    value = json.loads(found[-1][len(instruction) :].strip())  # the last one wins
    assert isinstance(value, list), f"{instruction} must use the JSON (exec) form"
    assert all(isinstance(v, str) for v in value), f"{instruction} must use the JSON (exec) form"
    return value


def test_image_entrypoint_is_python() -> None:
    assert dockerfile_exec_form("ENTRYPOINT") == ["python"]


def test_image_default_command_is_the_gateway() -> None:
    assert dockerfile_exec_form("CMD") == GATEWAY.serve_args


def test_image_runs_as_non_root_and_ships_the_contracts() -> None:
    stage = dockerfile_final_stage()
    assert stage[0].split()[1].startswith("${PYTHON_IMAGE}") or "python:3.11-slim" in stage[0]
    users = [ins.split(None, 1)[1] for ins in stage if ins.upper().startswith("USER ")]
    assert users, "the image must set a USER"
    assert users[-1].split(":")[0] not in ("root", "0"), "the image must not run as root"
    assert any(ins.upper().startswith("COPY ") and "openapi/" in ins for ins in stage), (
        "the image must include openapi/ (the gateway serves openapi/gateway.json)"
    )
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim\b", text, re.M)
    assert "pip install ." in text


def test_dockerignore_keeps_what_the_image_needs() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
    for needed in ("pyproject.toml", "kernel/", "services/", "gateway/", "openapi/"):
        assert f"!{needed}" in ignore, f"Dockerfile.dockerignore must keep {needed}"


# --------------------------------------------------------------------------
# Deployments, Services, autoscalers, migration Jobs
# --------------------------------------------------------------------------


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_deployment_runs_the_component(component: Component) -> None:
    deployment = single("Deployment", component.name)
    container = only_container(deployment)
    assert container["args"] == component.serve_args
    # No command: the image's ENTRYPOINT (python) runs the args.
    assert container.get("command", ["python"]) == ["python"]
    assert [p["containerPort"] for p in container["ports"]] == [component.port]

    selector = deployment["spec"]["selector"]["matchLabels"]
    assert labels_match(selector, deployment["spec"]["template"]["metadata"]["labels"])
    assert "replicas" not in deployment["spec"], "the HorizontalPodAutoscaler owns replicas"


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_probes_hit_health_endpoints_on_the_component_port(component: Component) -> None:
    container = only_container(single("Deployment", component.name))
    # The gateway's probe asks for its own database only: one service down must not take every
    # gateway pod (and login) out of rotation; plain /readyz fans out to every service (for people).
    ready = "/readyz?deep=false" if component is GATEWAY else "/readyz"
    expected = {"startupProbe": "/healthz", "livenessProbe": "/healthz", "readinessProbe": ready}
    for probe, path in expected.items():
        assert probe in container, f"{component.name}: no {probe}"
        http = container[probe]["httpGet"]
        assert http["path"] == path, f"{component.name} {probe}"
        assert resolve_port(container, http["port"]) == component.port, f"{component.name} {probe}"


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_deployment_is_configured_and_hardened(component: Component) -> None:
    deployment = single("Deployment", component.name)
    spec = pod_spec(deployment)
    container = only_container(deployment)

    sources = container.get("envFrom", [])
    assert {"configMapRef": {"name": CONFIGMAP}} in sources
    assert {"secretRef": {"name": SECRET}} in sources
    # Service links would inject e.g. PROJECTS_PORT=tcp://... into every pod.
    assert spec.get("enableServiceLinks") is False

    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"].get("runAsUser", 1) != 0
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    resources = container["resources"]
    assert {"cpu", "memory"} <= set(resources["requests"])
    assert {"cpu", "memory"} <= set(resources["limits"])


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_service_exposes_the_component_port(component: Component) -> None:
    deployment = single("Deployment", component.name)
    container = only_container(deployment)
    service = single("Service", component.name)
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP"
    assert labels_match(service["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"])
    [port] = service["spec"]["ports"]
    assert port["port"] == component.port
    assert resolve_port(container, port.get("targetPort", port["port"])) == component.port


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_autoscaler_targets_the_deployment_on_cpu(component: Component) -> None:
    hpa = single("HorizontalPodAutoscaler", component.name)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": component.name}
    resources = [m["resource"]["name"] for m in hpa["spec"]["metrics"] if m["type"] == "Resource"]
    assert "cpu" in resources
    assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]


def migration_jobs() -> dict[str, Manifest]:
    return {
        name: job
        for name, job in by_kind("Job").items()
        if job["metadata"]["labels"].get("app.kubernetes.io/component") == "migration"
    }


def test_exactly_the_components_with_a_schema_have_a_migration_job() -> None:
    assert set(migration_jobs()) == {f"{c.name}-migrate" for c in ALL if c.schema is not None}


@pytest.mark.parametrize("component", WITH_DATABASE, ids=lambda c: c.name)
def test_migration_job_runs_the_component_migrations(component: Component) -> None:
    job = migration_jobs()[f"{component.name}-migrate"]
    container = only_container(job)
    assert container["args"] == component.migrate_args
    assert container.get("command", ["python"]) == ["python"]
    assert {"secretRef": {"name": SECRET}} in container.get("envFrom", [])
    spec = pod_spec(job)
    assert spec["restartPolicy"] in ("Never", "OnFailure")
    assert spec["securityContext"]["runAsNonRoot"] is True
    # The migration pod must not be picked up by the service's Deployment/Service.
    deployment = single("Deployment", component.name)
    assert not labels_match(
        deployment["spec"]["selector"]["matchLabels"], job["spec"]["template"]["metadata"]["labels"]
    )


def test_every_workload_uses_the_same_image() -> None:
    images = {
        c["image"]
        for kind in ("Deployment", "Job")
        for workload in by_kind(kind).values()
        for c in pod_spec(workload)["containers"]
    }
    assert len(images) == 1, f"one image for all deployables, found {sorted(images)}"


# --------------------------------------------------------------------------
# ConfigMap and Secret
# --------------------------------------------------------------------------


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_configmap_binds_each_component_to_its_port(component: Component) -> None:
    data = single("ConfigMap", CONFIGMAP)["data"]
    assert data[f"{component.env_prefix}HOST"] == "0.0.0.0"
    assert data[f"{component.env_prefix}PORT"] == str(component.port)


@pytest.mark.parametrize("component", SERVICES, ids=lambda c: c.name)
def test_gateway_knows_where_each_service_is(component: Component) -> None:
    data = single("ConfigMap", CONFIGMAP)["data"]
    url = data[f"{GATEWAY.env_prefix}{component.name.upper()}_URL"]
    assert url == f"http://{component.name}:{component.port}"


@pytest.mark.parametrize("component", WITH_DATABASE, ids=lambda c: c.name)
def test_secret_holds_each_service_database(component: Component) -> None:
    secret = single("Secret", SECRET)
    assert "data" not in secret, "use stringData (placeholders) in the checked-in Secret"
    url = secret["stringData"][f"{component.env_prefix}DATABASE_URL"]
    assert url.startswith("postgresql://")
    assert url.endswith(f"/anju_{component.name}")
    assert "CHANGE-ME" in url, "checked-in secret values must be placeholders"
    assert f"{component.env_prefix}DATABASE_URL" not in single("ConfigMap", CONFIGMAP)["data"]


@pytest.mark.parametrize("component", SERVICES, ids=lambda c: c.name)
def test_services_verify_tokens_with_the_gateways_keys(component: Component) -> None:
    data = single("ConfigMap", CONFIGMAP)["data"]
    assert data[f"{component.env_prefix}JWKS_URL"] == jwks_url(f"http://{GATEWAY.name}:{GATEWAY.port}")


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_secret_holds_every_components_pii_keys_and_metrics_token(component: Component) -> None:
    """Every deployable, not only the gateway, seals personal data with its own keys from the
    Secret (the development keys are in the source) and guards /metrics with a token."""
    data = single("Secret", SECRET)["stringData"]
    config = single("ConfigMap", CONFIGMAP)["data"]
    p = component.env_prefix
    for name in (f"{p}PII_KEYRING", f"{p}PII_INDEX_KEY", f"{p}METRICS_TOKEN"):
        assert "CHANGE-ME" in data[name], f"{name} must be a placeholder"
        assert name not in config, f"{name} belongs in the Secret"
    assert data[f"{p}PII_KEYRING"].split(":")[0] == data[f"{p}PII_ACTIVE_KEY"]


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_every_component_runs_in_production_behind_its_trusted_proxies(component: Component) -> None:
    config = single("ConfigMap", CONFIGMAP)["data"]
    p = component.env_prefix
    assert config[f"{p}ENVIRONMENT"] == "production"
    assert config[f"{p}TRUSTED_PROXIES"], "who may forward the client's address"
    from kernel.requestid import TrustedProxies

    TrustedProxies.parse(config[f"{p}TRUSTED_PROXIES"])
    for name in (f"{p}AUTH_MODE", f"{p}DB_ROLE", f"{p}DB_RLS"):
        assert name not in config, f"{name}: the defaults (verify, the application role, RLS on) stay"


# --------------------------------------------------------------------------
# compose
# --------------------------------------------------------------------------


def compose_services() -> dict[str, Manifest]:
    with COMPOSE.open(encoding="utf-8") as f:
        data = yaml.safe_load(f)
    assert isinstance(data, dict)
    assert isinstance(data.get("services"), dict)
    services: dict[str, Manifest] = data["services"]
    return services


def environment(service: Manifest) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        pairs = (item.split("=", 1) for item in env)
        return {k: v for k, v in pairs}
    return {str(k): str(v) for k, v in env.items()}


def depends_on(service: Manifest) -> dict[str, str]:
    deps = service.get("depends_on", {})
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: spec.get("condition", "service_started") for name, spec in deps.items()}


def test_compose_parses_and_has_postgres() -> None:
    services = compose_services()
    postgres = services["postgres"]
    assert str(postgres["image"]).startswith("postgres:16")
    assert "healthcheck" in postgres
    assert any("docker-entrypoint-initdb.d" in v for v in postgres.get("volumes", []))


def test_postgres_init_creates_each_service_database() -> None:
    sql = "\n".join(p.read_text(encoding="utf-8") for p in sorted(POSTGRES_INIT.glob("*.sql")))
    for component in WITH_DATABASE:
        assert re.search(rf"CREATE DATABASE\s+anju_{component.name}\s*;", sql, re.I), component.name


def iter_app_services() -> Iterator[tuple[Component, Manifest]]:
    services = compose_services()
    for component in ALL:
        assert component.name in services, f"compose has no service {component.name}"
        yield component, services[component.name]


@pytest.mark.parametrize("component", ALL, ids=lambda c: c.name)
def test_compose_service_runs_the_component(component: Component) -> None:
    service = compose_services()[component.name]
    assert service["command"] == component.serve_args
    assert "entrypoint" not in service, "the image's ENTRYPOINT (python) must stay"
    assert service["build"]["dockerfile"] == "deploy/Dockerfile"

    env = environment(service)
    assert env[f"{component.env_prefix}HOST"] == "0.0.0.0"
    assert env[f"{component.env_prefix}PORT"] == str(component.port)
    foreign = [k for k in env if not k.startswith(component.env_prefix) and k != "DATABASE_URL"]
    assert not foreign, f"{component.name}: variables of another deployable: {foreign}"

    check = " ".join(service["healthcheck"]["test"])
    assert f"127.0.0.1:{component.port}/readyz" in check


@pytest.mark.parametrize("component", WITH_DATABASE, ids=lambda c: c.name)
def test_compose_migrates_each_service_before_it_starts(component: Component) -> None:
    services = compose_services()
    migrate_name = f"{component.name}-migrate"
    migrate = services[migrate_name]
    assert migrate["command"] == component.migrate_args
    assert depends_on(migrate).get("postgres") == "service_healthy"
    assert depends_on(services[component.name]).get(migrate_name) == "service_completed_successfully"

    url = environment(migrate)[f"{component.env_prefix}DATABASE_URL"]
    assert url == environment(services[component.name])[f"{component.env_prefix}DATABASE_URL"]
    assert url.startswith("postgresql://")
    assert url.endswith(f"@postgres:5432/anju_{component.name}")


def test_compose_gateway_is_published_and_wired() -> None:
    services = compose_services()
    gateway = services[GATEWAY.name]
    assert f"{GATEWAY.port}:{GATEWAY.port}" in [str(p) for p in gateway.get("ports", [])]
    env = environment(gateway)
    deps = depends_on(gateway)
    for component in SERVICES:
        assert env[f"{GATEWAY.env_prefix}{component.name.upper()}_URL"] == f"http://{component.name}:{component.port}"
        assert component.name in deps
        service_env = environment(services[component.name])
        assert service_env[f"{component.env_prefix}JWKS_URL"] == jwks_url(f"http://{GATEWAY.name}:{GATEWAY.port}")
    for component, service in iter_app_services():
        if component is not GATEWAY:
            assert "ports" not in service, f"only the gateway is published ({component.name})"
