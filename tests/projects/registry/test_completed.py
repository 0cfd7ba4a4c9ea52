"""Projects completed: legal basis, GeoJSON outline (validated, 422 with field paths),
lead unit and implementing company (right kind, in scope, responsible for the region),
the task force reference, and the map as a GeoJSON FeatureCollection."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.projects.conftest import project_body
from tests.support.auth import bearer

P = "/api/v1/projects"
RING = [[112.352, 28.553], [112.361, 28.553], [112.361, 28.560], [112.352, 28.560], [112.352, 28.553]]
POLYGON = {"type": "Polygon", "coordinates": [RING]}


async def _unit(projects: httpx.AsyncClient, **body: Any) -> str:
    r = await projects.post(f"{P}/command-units", json=body)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.fixture
async def units(projects: httpx.AsyncClient, regions: list[str]) -> dict[str, str]:
    await projects.post(f"{P}/regions", json={"code": "430902001000", "name": "汽车路街道"})
    return {
        "company": await _unit(projects, kind="implementing_company", name="益阳城市建设投资运营集团有限责任公司",
                               region_code="430900000000"),
        "district": await _unit(projects, kind="district_command", name="赫山区指挥部", region_code="430903000000"),
        "other_district": await _unit(projects, kind="district_command", name="资阳区指挥部",
                                      region_code="430902000000"),
        "agency": await _unit(projects, kind="expropriation_agency", name="征收事务所", region_code="430903000000"),
    }


async def test_create_with_basis_outline_and_units(projects: httpx.AsyncClient, units: dict[str, str], count) -> None:
    r = await projects.post(f"{P}/projects", json=project_body(
        legal_basis="old_town_renewal", geometry={**POLYGON, "bbox": [112.352, 28.553, 112.361, 28.560]},
        lead_unit_id=units["district"], implementing_company_id=units["company"]))
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["legal_basis"] == "old_town_renewal"
    assert body["legal_basis_label"].startswith("（五）")
    assert body["geometry"] == POLYGON  # normal form: bbox dropped
    assert body["lead_unit_id"] == units["district"]
    assert body["implementing_company_id"] == units["company"]
    assert body["task_force_id"] is None
    audit = await count("projects.audit_log",
                        "action = 'project.create' AND after->>'legal_basis' = 'old_town_renewal' "
                        "AND after->'geometry'->>'type' = 'Polygon'")
    assert audit == 1
    # The event other services keep is unchanged in shape.
    assert await count("projects.outbox_event",
                       "type = 'projects.project.changed' AND NOT payload ? 'geometry'") == 1


@pytest.mark.parametrize(("geometry", "field", "code"), [
    ({"type": "Point", "coordinates": [112.3, 28.5]}, "body.geometry.type", "geometry_type"),
    ({"type": "Polygon", "coordinates": [RING[:4]]}, "body.geometry.coordinates[0]", "ring_not_closed"),
    ({"type": "Polygon", "coordinates": [RING[:3]]}, "body.geometry.coordinates[0]", "ring_too_short"),
    ({"type": "Polygon", "coordinates": [[[28.553, 112.352], *RING[1:4], [28.553, 112.352]]]},
     "body.geometry.coordinates[0][0]", "latitude_range"),
    ("POLYGON ((112 28, ...))", "body.geometry", "dict_type"),
])
async def test_bad_outline_is_refused(projects: httpx.AsyncClient, regions: list[str], count, geometry: Any,
                                      field: str, code: str) -> None:
    r = await projects.post(f"{P}/projects", json=project_body(geometry=geometry))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert (field, code) in [(e["field"], e["code"]) for e in r.json()["errors"]]
    assert await count("projects.project") == 0


async def test_nan_in_the_outline_is_refused(projects: httpx.AsyncClient, regions: list[str]) -> None:
    raw = ('{"code": "NAN-1", "name": "x", "type": "shantytown", "region_code": "430903001000", '
           '"geometry": {"type": "Polygon", "coordinates": [[[NaN, 28.5], [112.3, 28.5], [112.3, 28.6], '
           '[NaN, 28.5]]]}}')
    r = await projects.post(f"{P}/projects", content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "geometry.invalid"
    assert ("body.geometry.coordinates[0][0]", "position_not_finite") in [
        (e["field"], e["code"]) for e in r.json()["errors"]]


async def test_outline_bounds_are_settings(projects: httpx.AsyncClient, regions: list[str], count, monkeypatch,
                                          projects_app) -> None:
    settings = projects_app.state.settings
    two = {"type": "MultiPolygon", "coordinates": [[RING], [[[p[0] + 0.1, p[1]] for p in RING]]]}
    assert (await projects.post(f"{P}/projects", json=project_body("BOUND-1", geometry=two))).status_code == 201
    monkeypatch.setattr(settings, "geometry_max_polygons", 1)
    r = await projects.post(f"{P}/projects", json=project_body("BOUND-2", geometry=two))
    assert r.status_code == 422, r.text
    assert ("body.geometry.coordinates", "too_many_polygons") in [(e["field"], e["code"]) for e in r.json()["errors"]]
    monkeypatch.setattr(settings, "geometry_max_positions", 4)
    project = (await projects.get(f"{P}/projects", params={"limit": 1})).json()["items"][0]
    r = await projects.patch(f"{P}/projects/{project['id']}", json={"geometry": {"type": "Polygon",
                                                                                "coordinates": [RING]}},
                             headers={"If-Match": '"1"'})
    assert r.status_code == 422, r.text
    assert ("body.geometry.coordinates", "too_many_positions") in [(e["field"], e["code"]) for e in r.json()["errors"]]
    assert await count("projects.project") == 1


async def test_units_must_fit(projects: httpx.AsyncClient, units: dict[str, str]) -> None:
    async def errors(**over: Any) -> list[tuple[str, str]]:
        r = await projects.post(f"{P}/projects", json=project_body("FIT-1", **over))
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "project.unit_invalid"
        return [(e["field"], e["code"]) for e in r.json()["errors"]]

    assert await errors(implementing_company_id=units["district"]) == [("body.implementing_company_id", "unit_kind")]
    assert await errors(lead_unit_id=units["agency"]) == [("body.lead_unit_id", "unit_kind")]
    assert await errors(lead_unit_id=units["other_district"]) == [("body.lead_unit_id", "unit_region")]
    assert await errors(lead_unit_id="0b5c2b5e-0000-4000-8000-000000000000") == [
        ("body.lead_unit_id", "unknown_unit")]
    # A unit outside the caller's scope is unknown to them.
    hidden = await projects.post(f"{P}/projects", headers=bearer("district_commander", region="430903000000"),
                                 json=project_body("FIT-2", implementing_company_id=units["company"]))
    assert hidden.status_code == 422
    assert hidden.json()["errors"][0]["code"] == "unknown_unit"


async def test_update_sets_and_clears(projects: httpx.AsyncClient, units: dict[str, str]) -> None:
    created = (await projects.post(f"{P}/projects", json=project_body())).json()
    url = f"{P}/projects/{created['id']}"
    r = await projects.patch(url, json={"geometry": POLYGON, "legal_basis": "affordable_housing",
                                        "implementing_company_id": units["company"]}, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    assert r.json()["geometry"] == POLYGON
    bad = await projects.patch(url, json={"geometry": {"type": "Polygon", "coordinates": [RING[:4]]}},
                               headers={"If-Match": '"2"'})
    assert bad.status_code == 422
    moved = await projects.patch(url, json={"region_code": "430902001000"}, headers={"If-Match": '"2"'})
    assert moved.status_code == 200  # the city company serves every district
    lead = await projects.patch(url, json={"lead_unit_id": units["district"]}, headers={"If-Match": '"3"'})
    assert lead.json()["errors"][0]["code"] == "unit_region"
    cleared = await projects.patch(url, json={"geometry": None, "legal_basis": None}, headers={"If-Match": '"3"'})
    assert cleared.json()["geometry"] is None
    assert cleared.json()["legal_basis_label"] is None
    bad_basis = await projects.patch(url, json={"legal_basis": "profit"}, headers={"If-Match": '"4"'})
    assert bad_basis.status_code == 422


async def test_features_for_maps(projects: httpx.AsyncClient, units: dict[str, str]) -> None:
    for i, region in enumerate(["430903001000", "430903002000", "430902001000"]):
        await projects.post(f"{P}/projects", json=project_body(f"MAP-{i}", region_code=region, geometry=POLYGON,
                                                               legal_basis="old_town_renewal"))
    await projects.post(f"{P}/projects", json=project_body("MAP-NONE"))  # no outline: not on the map
    r = await projects.get(f"{P}/projects/features")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/geo+json"
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in fc["features"]] == ["MAP-0", "MAP-1", "MAP-2"]
    feature = fc["features"][0]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == POLYGON
    assert feature["properties"]["type_label"] == "棚户区改造"
    assert feature["properties"]["legal_basis"] == "old_town_renewal"

    filtered = (await projects.get(f"{P}/projects/features", params={"region_prefix": "430903"})).json()
    assert [f["properties"]["code"] for f in filtered["features"]] == ["MAP-0", "MAP-1"]
    scoped = (await projects.get(f"{P}/projects/features",
                                 headers=bearer("street_officer", region="430903001000"))).json()
    assert [f["properties"]["code"] for f in scoped["features"]] == ["MAP-0"]
    page = (await projects.get(f"{P}/projects/features", params={"limit": 2})).json()
    assert len(page["features"]) == 2
    rest = (await projects.get(f"{P}/projects/features", params={"limit": 2, "cursor": page["next_cursor"]})).json()
    assert [f["properties"]["code"] for f in rest["features"]] == ["MAP-2"]
    assert rest["next_cursor"] is None
    assert (await projects.get(f"{P}/projects/features", params={"limit": 1000})).status_code == 422
    denied = await projects.get(f"{P}/projects/features", headers=bearer("resident", region="430903001000"))
    assert denied.status_code == 403
