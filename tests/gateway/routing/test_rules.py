from __future__ import annotations

import pytest

from gateway.routing.errors import ContractConflict
from gateway.routing.rules import Breaker, merge_contract, proxied_route_label


def test_breaker_opens_after_consecutive_failures_and_half_opens() -> None:
    b = Breaker(failures=3, reset_s=5)
    for t in range(2):
        b.record_failure(float(t))
    assert b.allow(2.0)
    b.record_success()  # a success resets the count
    for t in range(3):
        b.record_failure(10.0 + t)
    assert b.state == "open"
    assert not b.allow(13.0)
    assert b.allow(17.5)  # one trial after reset_s
    assert b.state == "half_open"
    assert not b.allow(17.6)  # only one trial at a time
    b.record_failure(18.0)  # trial failed: open again
    assert not b.allow(19.0)
    assert b.allow(23.5)
    b.record_success()
    assert b.state == "closed"
    assert b.allow(23.6)


def _doc(paths: dict[str, object], schemas: dict[str, object] | None = None) -> dict[str, object]:
    return {"openapi": "3.1.0", "paths": paths, "components": {"schemas": schemas or {}}}


def test_merge_takes_only_the_service_prefix() -> None:
    gateway = _doc({"/healthz": {"get": {"operationId": "ops-get_health"}}})
    projects = _doc(
        {"/api/v1/projects/projects": {"get": {"operationId": "projects-list_projects", "tags": ["projects"]}},
         "/healthz": {"get": {"operationId": "ops-get_health"}}},
        {"Problem": {"type": "object"}},
    )
    merged = merge_contract(gateway, {"projects": projects})
    assert set(merged["paths"]) == {"/healthz", "/api/v1/projects/projects"}
    assert merged["components"]["schemas"] == {"Problem": {"type": "object"}}
    assert merged["tags"] == [{"name": "projects"}]


def test_merge_refuses_conflicting_schemas_and_operation_ids() -> None:
    a = _doc({"/api/v1/projects/x": {"get": {"operationId": "x-get"}}}, {"Thing": {"type": "object"}})
    b = _doc({"/api/v1/funding/y": {"get": {"operationId": "y-get"}}}, {"Thing": {"type": "string"}})
    with pytest.raises(ContractConflict, match="Thing"):
        merge_contract(_doc({}), {"projects": a, "funding": b})
    c = _doc({"/api/v1/funding/y": {"get": {"operationId": "x-get"}}})
    with pytest.raises(ContractConflict, match="x-get"):
        merge_contract(_doc({}), {"projects": a, "funding": c})


def test_a_proxied_request_is_labelled_by_its_services_template_or_the_service() -> None:
    assert proxied_route_label("projects", "/api/v1/projects/tasks/{task_id}") == "/api/v1/projects/tasks/{task_id}"
    assert proxied_route_label("projects", None) == "/api/v1/projects/…"
    # A template of another service's, or of no service, or absurdly long, is not taken.
    assert proxied_route_label("projects", "/api/v1/funding/x") == "/api/v1/projects/…"
    assert proxied_route_label("projects", "/api/v1/projectsx/y") == "/api/v1/projects/…"
    assert proxied_route_label("projects", "/api/v1/projects/" + "x" * 300) == "/api/v1/projects/…"
