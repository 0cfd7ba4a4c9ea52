"""Errors: resident consultations (意愿征询, 改造“点单”): rounds, options, eligible households, votes, results
(no HTTP: the kernel maps kinds to statuses)."""

from __future__ import annotations

from kernel.errors import Conflict, Denied, DomainError, Invalid, NotFound


class ConsultationNotFound(NotFound):
    code = "consultation.not_found"
    title_zh = "征询不存在"
    title_en = "Consultation not found"


class ConsultationIdTaken(Conflict):
    code = "consultation.id_taken"
    title_zh = "征询 ID 已存在"
    title_en = "A consultation with this id already exists"


class ConsultationProjectUnknown(Invalid):
    code = "consultation.project_unknown"
    title_zh = "所填项目不存在或不在您的管辖范围内"
    title_en = "The project named does not exist or is outside your scope"


class ConsultationInvalid(Invalid):
    code = "consultation.invalid"
    title_zh = "征询设置不正确"
    title_en = "The consultation's settings are not valid"


class ConsultationNotDraft(Conflict):
    code = "consultation.not_draft"
    title_zh = "征询已发布，不能再修改设置或参与名单"
    title_en = "The consultation is no longer a draft"


class ConsultationNotReady(Conflict):
    code = "consultation.not_ready"
    title_zh = "征询尚不具备发布条件"
    title_en = "The consultation cannot be opened yet"


class ConsultationWrongStatus(Conflict):
    code = "consultation.wrong_status"
    title_zh = "征询当前状态不允许此操作"
    title_en = "The consultation's status does not allow this"


class VotingNotOpen(Conflict):
    code = "consultation.not_in_period"
    title_zh = "不在投票期内：征询尚未开始或已经结束"
    title_en = "Voting is not open: the consultation has not started or has ended"


class HouseholdNotEligible(Invalid):
    code = "consultation.household_not_eligible"
    title_zh = "该户不在本次征询的参与名单内"
    title_en = "The household is not eligible in this consultation"


class HouseholdListInvalid(Invalid):
    code = "consultation.households_invalid"
    title_zh = "参与户名单不正确"
    title_en = "The household list is not valid"


class BallotInvalid(Invalid):
    code = "consultation.ballot_invalid"
    title_zh = "选票不符合要求"
    title_en = "The ballot is not valid"


class BallotConflict(Conflict):
    code = "consultation.ballot_conflict"
    title_zh = "该户的投票刚被修改，请刷新后重试"
    title_en = "The household's vote changed meanwhile; reload and retry"


class VoteNotFound(NotFound):
    code = "consultation.vote_not_found"
    title_zh = "该户尚未投票"
    title_en = "The household has not voted"


class NotOwnHousehold(Denied):
    code = "consultation.not_own_household"
    title_zh = "居民只能查看和投票本户"
    title_en = "A resident may only see and vote for their own household"


class ChannelNotAllowed(Denied):
    code = "consultation.channel_denied"
    title_zh = "居民通过 App 为本户投票；入户和纸质投票须由工作人员录入"
    title_en = "Residents vote in the app for their own household; field and paper votes are entered by staff"


class ResidentsMayNotList(Denied):
    code = "consultation.residents_denied"
    title_zh = "居民不能查看参与户名单"
    title_en = "Residents may not see the household list"


class ResultsNotPublic(Conflict):
    code = "consultation.results_not_public"
    title_zh = "征询结束后才公布结果"
    title_en = "Results are published when the consultation closes"


#: Constraint name → the error its violation means (merged into the service's table in app.py).
CONSTRAINTS: dict[str, type[DomainError]] = {
    "pk_consultation": ConsultationIdTaken,
    "fk_consultation_project_id_project": ConsultationProjectUnknown,
    "ck_consultation_period_order": ConsultationInvalid,
    "uq_consultation_option_consultation_id_label": ConsultationInvalid,
    "pk_eligible_household": HouseholdListInvalid,
    "pk_ballot": BallotConflict,
    "fk_ballot_consultation_id_household_id_eligible_household": HouseholdNotEligible,
}
