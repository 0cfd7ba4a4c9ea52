"""The project geometry validator: Polygon/MultiPolygon in WGS 84, closed rings,
ranges, finite numbers, bounded size, and every problem reported with its path."""

from __future__ import annotations

import math
from typing import Any

import pytest

from services.projects.registry.rules import (
    GeometryInvalid,
    GeometryLimits,
    position_count,
    validate_geometry,
)

SQUARE = [[112.30, 28.57], [112.31, 28.57], [112.31, 28.58], [112.30, 28.58], [112.30, 28.57]]


def codes(value: Any, **kw: Any) -> list[tuple[str, str]]:
    with pytest.raises(GeometryInvalid) as caught:
        validate_geometry(value, **kw)
    return [(e.field, e.code) for e in caught.value.errors]


def test_polygon_is_returned_in_normal_form() -> None:
    got = validate_geometry({"type": "Polygon", "coordinates": [SQUARE], "bbox": [0, 0, 1, 1]})
    assert got == {"type": "Polygon", "coordinates": [SQUARE]}
    assert position_count(got) == 5


def test_multipolygon_with_hole_and_altitude() -> None:
    hole = [[112.302, 28.572], [112.303, 28.572], [112.303, 28.573], [112.302, 28.572]]
    with_altitude = [[*p, 35] for p in SQUARE]
    got = validate_geometry({"type": "MultiPolygon", "coordinates": [[SQUARE, hole], [with_altitude]]})
    assert got["coordinates"][1][0][0] == [112.30, 28.57]  # altitude dropped
    assert position_count(got) == 14


def test_integers_are_accepted() -> None:
    ring = [[112, 28], [113, 28], [113, 29], [112, 28]]
    assert validate_geometry({"type": "Polygon", "coordinates": [ring]})["coordinates"] == [
        [[112.0, 28.0], [113.0, 28.0], [113.0, 29.0], [112.0, 28.0]]]


@pytest.mark.parametrize(("value", "expected"), [
    ("POLYGON((...))", [("body.geometry", "geometry_format")]),
    ({"type": "Point", "coordinates": [112.3, 28.5]}, [("body.geometry.type", "geometry_type")]),
    ({"type": "Polygon", "coordinates": [SQUARE], "crs": {}}, [("body.geometry.crs", "geometry_member")]),
    ({"type": "Polygon", "coordinates": []}, [("body.geometry.coordinates", "polygon_format")]),
    ({"type": "Polygon"}, [("body.geometry.coordinates", "polygon_format")]),
    ({"type": "MultiPolygon", "coordinates": []}, [("body.geometry.coordinates", "multipolygon_format")]),
    ({"type": "Polygon", "coordinates": [SQUARE[:3]]}, [("body.geometry.coordinates[0]", "ring_too_short")]),
    ({"type": "Polygon", "coordinates": [SQUARE[:4]]}, [("body.geometry.coordinates[0]", "ring_not_closed")]),
    ({"type": "Polygon", "coordinates": ["abc"]}, [("body.geometry.coordinates[0]", "ring_format")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [112.3], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "position_format")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], ["112", 28.5], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "position_not_number")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [True, 28.5], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "position_not_number")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [math.nan, 28.5], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "position_not_finite")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [112.3, math.inf], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "position_not_finite")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [190.0, 28.5], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "longitude_range")]),
    ({"type": "Polygon", "coordinates": [[*SQUARE[:2], [112.3, -91], *SQUARE[3:]]]},
     [("body.geometry.coordinates[0][2]", "latitude_range")]),
])
def test_bad_geometry_is_refused_with_its_path(value: Any, expected: list[tuple[str, str]]) -> None:
    assert codes(value) == expected


def test_swapped_longitude_and_latitude_fail_the_range() -> None:
    # [lat, lon] around 益阳 puts 112 in the latitude: out of range.
    swapped = [[p[1], p[0]] for p in SQUARE]
    assert {c for _, c in codes({"type": "Polygon", "coordinates": [swapped]})} == {"latitude_range"}


def test_every_problem_is_listed_in_every_polygon() -> None:
    bad = [[*SQUARE[:2], [200.0, 28.5], *SQUARE[3:]]]
    got = codes({"type": "MultiPolygon", "coordinates": [[SQUARE], bad, [SQUARE[:4]]]})
    assert got == [("body.geometry.coordinates[1][0][2]", "longitude_range"),
                   ("body.geometry.coordinates[2][0]", "ring_not_closed")]


def test_size_is_bounded() -> None:
    limits = GeometryLimits(max_polygons=2, max_rings=2, max_positions=12, max_errors=3)
    polygon = {"type": "Polygon", "coordinates": [SQUARE]}
    assert validate_geometry(polygon, limits=limits) == polygon
    assert codes({"type": "MultiPolygon", "coordinates": [[SQUARE]] * 3}, limits=limits) == [
        ("body.geometry.coordinates", "too_many_polygons")]
    assert codes({"type": "Polygon", "coordinates": [SQUARE] * 3}, limits=limits) == [
        ("body.geometry.coordinates", "too_many_rings")]
    assert codes({"type": "MultiPolygon", "coordinates": [[SQUARE, SQUARE], [SQUARE]]}, limits=limits)[0] == (
        "body.geometry.coordinates", "too_many_positions")
    many_bad = [[[500.0, 28.0]] * 3 + [[500.0, 28.0]]]
    assert len(codes({"type": "Polygon", "coordinates": many_bad}, limits=limits)) == 3  # max_errors


def test_field_prefix_is_the_callers() -> None:
    assert codes({"type": "Line"}, field="geometry") == [("geometry.type", "geometry_type")]
