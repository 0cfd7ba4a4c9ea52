"""Request and response schemas (never the ORM models)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.projects import (
    LandPath,
    ProjectType,
    Stage,
)
from kernel.pagination import Page
from kernel.types import Area, LandMu, NonNegativeMoney
from kernel.vocabulary import LabelledEnum
from kernel.web.schemas import MergePatch, RegionCode, RowsJson, attributes_of
from services.projects.command.vocabulary import LegalBasis
from services.projects.registry.rules import MidwayClaim, StageEvidence

ProjectCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9][A-Z0-9-]{2,31}$"),
                        Field(description="项目编号（大写字母、数字和连字符，3–32 位）", examples=["YY-PG-2021-001"])]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


ZoneName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class ProjectTargets(BaseModel):
    """Targets are optional at registration and refined later."""

    target_households: int | None = Field(default=None, ge=0, le=1_000_000, description="目标户数")
    target_floor_area: Area | None = Field(default=None, description="目标征收建筑面积（平方米）")
    target_land_mu: LandMu | None = Field(default=None, description="目标用地面积（亩）")
    target_investment: NonNegativeMoney | None = Field(default=None, description="计划总投资（元）")


GEOMETRY_SCHEMA: dict[str, Any] = {
    "description": "项目范围：GeoJSON Polygon 或 MultiPolygon，WGS 84 经纬度（[经度, 纬度]），环须闭合",
    "examples": [{"type": "Polygon", "coordinates": [[[112.352, 28.553], [112.361, 28.553], [112.361, 28.560],
                                                      [112.352, 28.560], [112.352, 28.553]]]}],
}


Geometry = Annotated[dict[str, Any], Field(json_schema_extra=GEOMETRY_SCHEMA)]


class ProjectRefs(BaseModel):
    """The project's legal basis, outline and the units that lead and implement it."""

    legal_basis: LegalBasis | None = Field(default=None,
                                           description="征收的公共利益依据（《国有土地上房屋征收与补偿条例》第八条）")
    geometry: Geometry | None = None
    lead_unit_id: uuid.UUID | None = Field(default=None, description="牵头单位（指挥部、街道、职能部门或房屋征收部门）")
    implementing_company_id: uuid.UUID | None = Field(default=None, description="实施主体（平台公司）")


DocumentRef = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100),
                        Field(description="文件文号或名称", examples=["赫政发〔2021〕12号"])]


class StageEvidenceIn(BaseModel):
    """What shows that a stage was passed before the project came to the platform."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage = Field(description="已经过的阶段")
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = Field(
        default=None, description="说明（如办结情况、批复时间）")
    document_refs: list[DocumentRef] = Field(default_factory=list, max_length=20,
                                             description="依据文件的文号或名称（说明与文号至少填一项）")


class RegisteredMidway(BaseModel):
    """A project registered at a stage after the first of its path (decision 0021): why, and the
    evidence of each stage it has passed (every stage of its path after the first, up to and
    including the stage registered)."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=4, max_length=500)] = Field(
        description="中途登记的事由（中文），如“平台上线前已推进至征收决定，现补录”")
    evidence: list[StageEvidenceIn] = Field(default_factory=list, max_length=len(Stage),
                                            description="此前各阶段的依据：每个已经过的阶段一项")

    def claim(self) -> MidwayClaim:
        return MidwayClaim(self.reason, tuple(StageEvidence(e.stage, e.note or None, tuple(e.document_refs))
                                              for e in self.evidence))


class ProjectCreate(ProjectTargets, ProjectRefs):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = Field(default=None, description="客户端生成的 ID（离线采集时使用）")
    code: ProjectCode
    name: Name
    type: ProjectType
    land_path: LandPath = LandPath.state
    region_code: RegionCode
    zone: ZoneName | None = Field(default=None, description="所属片区")
    stage: Stage = Field(default=Stage.reserve,
                         description="登记时的阶段：默认谋划储备；之后的阶段须同时填写 registered_midway（中途登记）")
    registered_midway: RegisteredMidway | None = Field(
        default=None, description="中途登记说明：登记在其类型第一个阶段之后时必填（事由与此前各阶段的依据），记入审计")


class ProjectUpdate(ProjectTargets, ProjectRefs, MergePatch):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    not_null = ("name", "type", "land_path", "region_code")

    name: Name | None = None
    type: ProjectType | None = None
    land_path: LandPath | None = None
    region_code: RegionCode | None = None
    zone: ZoneName | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    type: ProjectType
    type_label: str = Field(description="项目类型（中文）")
    land_path: LandPath
    region_code: str
    zone: str | None
    target_households: int | None
    target_floor_area: Area | None
    target_land_mu: LandMu | None
    target_investment: NonNegativeMoney | None
    stage: Stage
    stage_label: str = Field(description="当前阶段（中文）")
    legal_basis: LegalBasis | None
    legal_basis_label: str | None = Field(description="征收依据（中文）")
    geometry: Geometry | None
    lead_unit_id: uuid.UUID | None
    implementing_company_id: uuid.UUID | None
    task_force_id: uuid.UUID | None = Field(description="工作专班（成立专班时自动关联）")
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @model_validator(mode="before")
    @classmethod
    def _labels(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return data
        values = attributes_of(cls, data)
        project_labels(values)
        return values


class GateConditionRead(BaseModel):
    code: str
    label: str = Field(description="条件（中文）")
    met: bool
    detail: str = Field(description="依据的数字或说明")


class PassedStageRead(BaseModel):
    stage: Stage
    stage_label: str
    note: str | None
    document_refs: list[str]
    conditions: list[GateConditionRead] = Field(description="该阶段的前置条件按平台现有数据的状态")
    met: bool = Field(description="前置条件是否全部满足（不满足不影响登记，仅作提示）")


class UnmetConditionRead(BaseModel):
    stage: Stage
    stage_label: str
    code: str
    label: str
    detail: str


class MidwayReport(BaseModel):
    """A mid-way registration as registered: its reason, and the gates of the stages it claims to
    have passed as they stand today (unmet conditions are reported, not refused)."""

    reason: str
    stages: list[PassedStageRead]
    unmet: list[UnmetConditionRead] = Field(description="尚未满足（平台上尚无数据）的全部前置条件")
    gates_met: bool


class ProjectRegistered(ProjectRead):
    registered_midway: MidwayReport | None = Field(default=None,
                                                   description="中途登记：事由与已过阶段前置条件的现状")


def project_labels(values: dict[str, Any]) -> None:
    """The Chinese labels of a project's type, stage and legal basis, from its values."""
    values["type_label"] = ProjectType(values["type"]).label
    values["stage_label"] = Stage(values["stage"]).label
    basis = values["legal_basis"]
    values["legal_basis_label"] = LegalBasis(basis).label if basis else None


#: A page of projects written from rows (the list's hot path; decision 0018).
PROJECT_ROWS = RowsJson(ProjectRead, derived=("type_label", "stage_label", "legal_basis_label"),
                        derive=project_labels)


class ProjectPage(Page[ProjectRead]):
    total: int | None = Field(default=None, description="符合条件的项目总数（仅当 count=true 时给出）")


class ProjectSort(LabelledEnum):
    """The orders of the project list (``?sort=``; a leading ``-`` is descending)."""

    by_code = "code", "按编号"
    by_code_desc = "-code", "按编号倒序"
    by_name = "name", "按名称"
    by_name_desc = "-name", "按名称倒序"
    by_updated_at = "updated_at", "按更新时间"
    by_updated_at_desc = "-updated_at", "按更新时间倒序（最近更新在前）"


#: ``?q=``: a substring of the name or the code, any case.
SearchText = Annotated[str | None, StringConstraints(min_length=1, max_length=100)]


class FeatureProperties(BaseModel):
    code: str
    name: str
    type: ProjectType
    type_label: str
    land_path: LandPath
    stage: Stage
    stage_label: str
    region_code: str
    zone: str | None
    legal_basis: LegalBasis | None
    target_households: int | None
    lead_unit_id: uuid.UUID | None
    implementing_company_id: uuid.UUID | None
    task_force_id: uuid.UUID | None


class ProjectFeature(BaseModel):
    type: Literal["Feature"] = "Feature"
    id: uuid.UUID
    geometry: Geometry
    properties: FeatureProperties

    @classmethod
    def of(cls, project: Any) -> ProjectFeature:
        read = ProjectRead.model_validate(project)
        assert read.geometry is not None
        return cls(id=read.id, geometry=read.geometry,
                   properties=FeatureProperties.model_validate(read.model_dump()))


class ProjectFeatureCollection(BaseModel):
    """Projects with an outline, as a GeoJSON FeatureCollection (RFC 7946) for maps; paged
    like the list (``next_cursor`` is a foreign member)."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[ProjectFeature]
    next_cursor: str | None = Field(description="下一页的游标；null 表示没有更多")


