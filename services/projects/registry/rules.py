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
import re
from dataclasses import dataclass, field
from typing import Any

from contracts.projects import ProjectType, Stage
from kernel.errors import FieldError, Invalid
from services.projects.stages.rules import passed_stages, path_for

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


# --- registering a project mid-way (decision 0021) -----------------------------------------------

_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MIDWAY = "body.registered_midway"
#: The reason of a project imported from a sheet at a stage after its first (decision 0021).
SHEET_MIDWAY_REASON = "批量导入存量项目"


@dataclass(frozen=True, slots=True)
class StageEvidence:
    """What shows that a stage was passed before the project came to the platform: a note and/or
    the references (文号) of the documents that decided it."""

    stage: Stage
    note: str | None = None
    document_refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MidwayClaim:
    """A project registered at a stage after the first of its path: why, and the evidence of each
    stage it claims to have passed."""

    reason: str
    evidence: tuple[StageEvidence, ...] = field(default_factory=tuple)


def midway_required(project_type: ProjectType | str, stage: Stage) -> bool:
    """Whether registering at ``stage`` is a registration mid-way (a stage after the path's first)."""
    return bool(passed_stages(project_type, stage))


def registration_errors(project_type: ProjectType | str, stage: Stage, claim: MidwayClaim | None) -> list[FieldError]:
    """What is wrong with registering a project at ``stage`` with ``claim`` (the missing claim
    itself is the caller's to refuse, see ``midway_required``): a stage off the type's path, a
    claim where none is due, a reason without Chinese text, evidence missing for a passed stage,
    evidence for a stage not passed, twice, or empty."""
    if stage not in path_for(project_type):
        return [FieldError("body.stage", "stage_not_on_path",
                           f"该类型项目不经过“{stage.label}”阶段，不能登记在该阶段")]
    if claim is None:
        return []
    passed = passed_stages(project_type, stage)
    if not passed:
        return [FieldError(MIDWAY, "not_midway", f"登记在第一个阶段（{stage.label}）的项目无需中途登记说明")]
    errors: list[FieldError] = []
    if not _CHINESE.search(claim.reason):
        errors.append(FieldError(f"{MIDWAY}.reason", "reason_not_chinese", "中途登记的事由须用中文说明"))
    seen: set[Stage] = set()
    for i, ev in enumerate(claim.evidence):
        path = f"{MIDWAY}.evidence[{i}]"
        if ev.stage not in passed:
            errors.append(FieldError(f"{path}.stage", "stage_not_passed",
                                     f"“{ev.stage.label}”不是登记阶段之前（含）已经过的阶段"))
        elif ev.stage in seen:
            errors.append(FieldError(f"{path}.stage", "evidence_twice", f"“{ev.stage.label}”的依据重复"))
        elif not (ev.note and ev.note.strip()) and not ev.document_refs:
            errors.append(FieldError(path, "evidence_empty",
                                     f"“{ev.stage.label}”的依据须填写说明或文件文号"))
        seen.add(ev.stage)
    missing = [s for s in passed if s not in seen]
    if missing:
        errors.append(FieldError(f"{MIDWAY}.evidence", "evidence_missing",
                                 "缺少已经过阶段的依据：" + "、".join(s.label for s in missing)))
    return errors


def bulk_claim(project_type: ProjectType | str, stage: Stage, reason: str, source: str) -> MidwayClaim | None:
    """The claim of a project registered in bulk (a sheet of existing projects, the demo data) at
    ``stage``: one reason, and for each passed stage the source that recorded it (None at the first
    stage, or off the path: the checks then say what is wrong)."""
    passed = passed_stages(project_type, stage)
    if not passed:
        return None
    note = f"{source}登记时已处于“{stage.label}”阶段"
    return MidwayClaim(reason, tuple(StageEvidence(s, note) for s in passed))


def claim_record(project_type: ProjectType | str, stage: Stage, claim: MidwayClaim) -> dict[str, Any]:
    """What the audit trail keeps of a mid-way registration."""
    return {"reason": claim.reason, "stages": [s.value for s in passed_stages(project_type, stage)],
            "evidence": [{"stage": e.stage.value, "note": e.note, "document_refs": list(e.document_refs)}
                         for e in claim.evidence]}


def evidence_of(claim: MidwayClaim, stage: Stage) -> StageEvidence | None:
    return next((e for e in claim.evidence if e.stage is stage), None)

