"""Value vocabularies shared by all layers of the projects service (plain enums, no I/O)."""

from __future__ import annotations

import enum


class ProjectType(enum.StrEnum):
    shantytown = "shantytown"
    urban_village = "urban_village"
    old_compound = "old_compound"
    expropriation = "expropriation"
    retain_upgrade = "retain_upgrade"
    historic_block = "historic_block"
    low_efficiency_land = "low_efficiency_land"


PROJECT_TYPE_LABELS: dict[ProjectType, str] = {
    ProjectType.shantytown: "棚户区改造",
    ProjectType.urban_village: "城中村改造",
    ProjectType.old_compound: "老旧小区改造",
    ProjectType.expropriation: "征收拆迁",
    ProjectType.retain_upgrade: "保留提升",
    ProjectType.historic_block: "历史文化街区",
    ProjectType.low_efficiency_land: "低效用地再开发",
}


class LandPath(enum.StrEnum):
    state = "state"
    collective = "collective"


LAND_PATH_LABELS: dict[LandPath, str] = {LandPath.state: "国有土地", LandPath.collective: "集体土地"}


class Stage(enum.StrEnum):
    reserve = "reserve"
    approved = "approved"
    consultation = "consultation"
    decision = "decision"
    survey = "survey"
    signing = "signing"
    moving = "moving"
    demolition = "demolition"
    cleared = "cleared"
    land_handed_over = "land_handed_over"
    land_supplied = "land_supplied"
    construction = "construction"
    completed = "completed"
    delivered = "delivered"


STAGE_LABELS: dict[Stage, str] = {
    Stage.reserve: "谋划储备",
    Stage.approved: "立项",
    Stage.consultation: "征询",
    Stage.decision: "征收决定",
    Stage.survey: "调查登记",
    Stage.signing: "签约",
    Stage.moving: "搬迁",
    Stage.demolition: "拆除",
    Stage.cleared: "清零",
    Stage.land_handed_over: "交地",
    Stage.land_supplied: "供地/出让",
    Stage.construction: "开工",
    Stage.completed: "竣工",
    Stage.delivered: "交付",
}
