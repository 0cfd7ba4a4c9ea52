"""GeoJSON geometry of a project (RFC 7946): a Polygon or MultiPolygon in WGS 84
longitude/latitude. Pure: no I/O. ``validate_geometry`` returns the geometry in
a normal form (``type`` and ``coordinates`` only, positions as [lon, lat]) or
raises ``GeometryInvalid`` listing every problem found (up to a bound) with the
path of the offending member, e.g. ``body.geometry.coordinates[0][3]``.

Checked: the type, the nesting, rings of at least four positions whose first
and last positions are equal, numbers that are finite (no NaN, no infinity, no
booleans), longitude in [-180, 180] and latitude in [-90, 90], and the size
(polygons, rings per polygon, positions in all). Not checked: ring orientation
(RFC 7946 asks parsers not to reject on it) and self-intersection.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kernel.errors import FieldError, Invalid

TYPES = ("Polygon", "MultiPolygon")
#: Members allowed besides ``type`` and ``coordinates`` (dropped from the normal form).
IGNORED_MEMBERS = frozenset({"bbox"})


class GeometryInvalid(Invalid):
    code = "geometry.invalid"
    title_zh = "项目范围（GeoJSON）不合法"
    title_en = "The project geometry (GeoJSON) is invalid"


@dataclass(frozen=True, slots=True)
class GeometryLimits:
    """Bounds on a project's outline (defaults; a caller may pass its own)."""

    max_polygons: int = 50
    max_rings: int = 50  # per polygon: the outer ring and its holes
    max_positions: int = 10_000  # in the whole geometry
    max_errors: int = 20  # reported at most


DEFAULT_LIMITS = GeometryLimits()


class _Collector:
    def __init__(self, limits: GeometryLimits) -> None:
        self.limits = limits
        self.errors: list[FieldError] = []
        self.positions = 0

    def add(self, path: str, code: str, message: str) -> None:
        if len(self.errors) < self.limits.max_errors:
            self.errors.append(FieldError(path, code, message))

    @property
    def full(self) -> bool:
        return len(self.errors) >= self.limits.max_errors


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _position(value: Any, path: str, out: _Collector) -> list[float] | None:
    if not isinstance(value, list) or len(value) not in (2, 3):
        out.add(path, "position_format", "坐标点须为 [经度, 纬度] 两个数值（可带高程）")
        return None
    if not all(_number(v) for v in value):
        out.add(path, "position_not_number", "坐标须为数值")
        return None
    if not all(math.isfinite(v) for v in value):
        out.add(path, "position_not_finite", "坐标不能为 NaN 或无穷大")
        return None
    lon, lat = float(value[0]), float(value[1])
    ok = True
    if not -180.0 <= lon <= 180.0:
        out.add(path, "longitude_range", "经度须在 -180 到 180 之间")
        ok = False
    if not -90.0 <= lat <= 90.0:
        out.add(path, "latitude_range", "纬度须在 -90 到 90 之间")
        ok = False
    return [lon, lat] if ok else None


def _ring(value: Any, path: str, out: _Collector) -> list[list[float]] | None:
    if not isinstance(value, list):
        out.add(path, "ring_format", "环须为坐标点数组")
        return None
    if len(value) < 4:
        out.add(path, "ring_too_short", "环至少需要 4 个坐标点（首尾相同）")
        return None
    out.positions += len(value)
    if out.positions > out.limits.max_positions:
        return None  # reported once, by the caller
    ring: list[list[float]] = []
    for i, raw in enumerate(value):
        if out.full:
            return None
        position = _position(raw, f"{path}[{i}]", out)
        if position is not None:
            ring.append(position)
    if len(ring) != len(value):
        return None
    if ring[0] != ring[-1]:
        out.add(path, "ring_not_closed", "环须闭合：首个坐标点与最后一个坐标点须相同")
        return None
    return ring


def _polygon(value: Any, path: str, out: _Collector) -> list[list[list[float]]] | None:
    if not isinstance(value, list) or not value:
        out.add(path, "polygon_format", "多边形须为至少一个环的数组")
        return None
    if len(value) > out.limits.max_rings:
        out.add(path, "too_many_rings", f"一个多边形最多 {out.limits.max_rings} 个环")
        return None
    rings = [_ring(r, f"{path}[{i}]", out) for i, r in enumerate(value)]
    return [r for r in rings if r is not None] if all(r is not None for r in rings) else None


def validate_geometry(value: Any, *, field: str = "body.geometry",
                      limits: GeometryLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """The geometry in normal form, or ``GeometryInvalid`` with every problem found."""
    out = _Collector(limits)
    if not isinstance(value, dict):
        raise GeometryInvalid(errors=[FieldError(field, "geometry_format", "须为 GeoJSON 几何对象")])
    kind = value.get("type")
    if kind not in TYPES:
        raise GeometryInvalid(errors=[FieldError(f"{field}.type", "geometry_type",
                                                 "几何类型须为 Polygon 或 MultiPolygon")])
    unknown = sorted(set(value) - {"type", "coordinates"} - IGNORED_MEMBERS)
    if unknown:
        raise GeometryInvalid(errors=[FieldError(f"{field}.{unknown[0]}", "geometry_member",
                                                 "几何对象只能包含 type、coordinates（与 bbox）")])
    coordinates = value.get("coordinates")
    path = f"{field}.coordinates"
    if kind == "Polygon":
        result: Any = _polygon(coordinates, path, out)
    elif not isinstance(coordinates, list) or not coordinates:
        out.add(path, "multipolygon_format", "MultiPolygon 须为至少一个多边形的数组")
        result = None
    elif len(coordinates) > limits.max_polygons:
        out.add(path, "too_many_polygons", f"最多 {limits.max_polygons} 个多边形")
        result = None
    else:
        polygons = [_polygon(p, f"{path}[{i}]", out) for i, p in enumerate(coordinates)]
        result = polygons if all(p is not None for p in polygons) else None
    if out.positions > limits.max_positions:
        out.errors.insert(0, FieldError(path, "too_many_positions", f"坐标点总数不能超过 {limits.max_positions}"))
    if out.errors or result is None:
        raise GeometryInvalid(errors=out.errors[: limits.max_errors] or [
            FieldError(path, "geometry_format", "坐标结构不正确")])
    return {"type": kind, "coordinates": result}


def position_count(geometry: dict[str, Any]) -> int:
    """How many positions a normal-form geometry holds."""
    coordinates = geometry["coordinates"]
    polygons = coordinates if geometry["type"] == "MultiPolygon" else [coordinates]
    return sum(len(ring) for polygon in polygons for ring in polygon)
