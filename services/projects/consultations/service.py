"""Use cases for resident consultations (意愿征询, 改造“点单”, 居民代表评议, 满意度测评): create and
change a draft with its options and thresholds, import the eligible households, open, vote (one
ballot per household, changeable until the close, every cast kept), close (results frozen and
announced), read the results. They receive the session and the caller and never commit.

Who sees what: staff see the consultations of the projects in their scope (outside it: "not
found"). A caller whose only role is ``resident`` sees only the consultations, other than
drafts, in which their own household (token claim ``household``) is eligible, votes only for
that household through the app, and sees the results once the consultation has closed.

Eligible households come from an imported list. Relocation's household register will be the
other source once relocation publishes it (see ``eligible_from_relocation``: the seam).
Counting is in ``tally`` (pure)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import BallotCast, ConsultationChanged, ConsultationClosed, OptionFigures
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.concurrency import check_version, expected_version
from kernel.db.session import utcnow
from kernel.errors import FieldError, PreconditionFailed
from kernel.pagination import PageRequest, PageResult
from services.projects.consultations import rules as counting
from services.projects.consultations.errors import (
    BallotInvalid,
    ChannelNotAllowed,
    ConsultationIdTaken,
    ConsultationInvalid,
    ConsultationNotDraft,
    ConsultationNotReady,
    ConsultationProjectUnknown,
    ConsultationWrongStatus,
    HouseholdListInvalid,
    HouseholdNotEligible,
    NotOwnHousehold,
    ResidentsMayNotList,
    ResultsNotPublic,
    VoteNotFound,
    VotingNotOpen,
)
from services.projects.consultations.models import (
    Ballot,
    BallotLog,
    Consultation,
    ConsultationOption,
    EligibleHousehold,
)
from services.projects.consultations.repository import ConsultationFilter, ConsultationRepository, Viewer
from services.projects.consultations.rules import Channel, ConsultationKind, Threshold, ThresholdBase
from services.projects.database import RECORDS
from services.projects.registry import service as project_uc

__all__ = [
    "ConsultationDraft", "HouseholdEntry", "OptionDraft", "Overview", "VoteRequest", "cast_vote",
    "close_consultation", "create_consultation", "eligible_from_relocation", "get_consultation", "get_vote",
    "import_households", "list_consultations", "list_households", "open_consultation", "results",
    "update_consultation",
]

#: Most households one import may carry.
MAX_IMPORT = 5000


@dataclass(frozen=True, slots=True)
class OptionDraft:
    label: str
    supportive: bool = False
    score: int | None = None


@dataclass(frozen=True, slots=True)
class ConsultationDraft:
    project_id: uuid.UUID
    kind: ConsultationKind
    title: str
    question: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    options: Sequence[OptionDraft] | None = None  # None: the kind's default options
    support_required: Fraction | None = None      # None: the kind's default
    threshold_base: ThresholdBase | None = None
    participation_required: Fraction | None = None
    participation_given: bool = False              # False: the kind's default participation requirement
    id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class HouseholdEntry:
    household_id: uuid.UUID
    head_name: str
    address: str
    region_code: str | None = None


@dataclass(frozen=True, slots=True)
class VoteRequest:
    choices: Sequence[uuid.UUID]
    channel: Channel
    paper_form_no: str | None = None


@dataclass(slots=True)
class Overview:
    """A consultation as read: with its options, eligible count and (for a resident) their ballot."""

    consultation: Consultation
    options: list[ConsultationOption]
    eligible: int
    my_household_id: uuid.UUID | None = None
    my_ballot: Ballot | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# --- who is asking --------------------------------------------------------------------------------


def resident_only(actor: Principal) -> bool:
    return bool(actor.roles) and actor.roles <= {Role.resident}


def _viewer(actor: Principal) -> Viewer:
    return Viewer(scope=actor.scope, household_id=actor.household_id, resident=resident_only(actor))


async def _get(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID, *,
               lock: str | None = None) -> Consultation:
    return await ConsultationRepository(session).require_visible(consultation_id, _viewer(actor), lock=lock)


# --- records ---------------------------------------------------------------------------------------

AUDITED = ("kind", "title", "question", "status", "opens_at", "closes_at", "support_num", "support_den",
           "threshold_base", "participation_num", "participation_den")


def snapshot(c: Consultation, options: Sequence[ConsultationOption] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {name: getattr(c, name) for name in AUDITED}
    if options is not None:
        out["options"] = [{"label": o.label, "supportive": o.supportive, "score": o.score} for o in options]
    return out


def _changed(c: Consultation) -> ConsultationChanged:
    return ConsultationChanged(id=c.id, project_id=c.project_id, kind=c.kind, title=c.title, status=c.status,
                               opens_at=c.opens_at, closes_at=c.closes_at, version=c.version)


async def _region(session: AsyncSession, c: Consultation) -> str:
    return await ConsultationRepository(session).region_of(c)


def threshold_of(c: Consultation) -> Threshold:
    participation = (Fraction(c.participation_num, c.participation_den)
                     if c.participation_num is not None and c.participation_den is not None else None)
    return Threshold(Fraction(c.support_num, c.support_den), ThresholdBase(c.threshold_base), participation)


def _check_options(kind: ConsultationKind, options: Sequence[OptionDraft]) -> None:
    labels = [o.label for o in options]
    problem = None
    if len(set(labels)) != len(labels):
        problem = ("duplicate_label", "选项名称不能重复")
    elif counting.approval_voting(kind) and not options:
        problem = ("options_missing", "“点单”至少需要一个选项")
    elif not counting.approval_voting(kind) and len(options) < 2:
        problem = ("options_missing", "至少需要两个选项")
    elif not counting.approval_voting(kind) and not any(o.supportive for o in options):
        problem = ("no_supportive_option", "须至少有一个选项计为支持（如“同意”“满意”）")
    if problem:
        raise ConsultationInvalid(problem[1], errors=[FieldError("body.options", *problem)])


def _check_period(opens_at: dt.datetime, closes_at: dt.datetime) -> None:
    if closes_at <= opens_at:
        raise ConsultationInvalid("截止时间须晚于开始时间",
                                  errors=[FieldError("body.closes_at", "period_order", "截止时间须晚于开始时间")])


def _options(c: Consultation, drafts: Sequence[OptionDraft]) -> list[ConsultationOption]:
    return [ConsultationOption(id=uuid.uuid4(), consultation_id=c.id, project_id=c.project_id, position=i + 1,
                               label=o.label, supportive=o.supportive, score=o.score)
            for i, o in enumerate(drafts)]


# --- create, change, households ---------------------------------------------------------------------


async def create_consultation(session: AsyncSession, actor: Principal, draft: ConsultationDraft) -> Overview:
    try:
        project = await project_uc.get_project(session, actor, draft.project_id)
    except project_uc.ProjectNotFound as exc:
        raise ConsultationProjectUnknown(
            errors=[FieldError("body.project_id", "unknown_project", "项目不存在")]) from exc
    repo = ConsultationRepository(session)
    if draft.id is not None and await repo.exists(draft.id):
        raise ConsultationIdTaken()
    defaults = counting.DEFAULT_THRESHOLDS[draft.kind]
    option_drafts = list(draft.options) if draft.options is not None else [
        OptionDraft(o.label, o.supportive, o.score) for o in counting.DEFAULT_OPTIONS[draft.kind]]
    _check_options(draft.kind, option_drafts)
    _check_period(draft.opens_at, draft.closes_at)
    support = draft.support_required or defaults.support
    participation = draft.participation_required if draft.participation_given else defaults.participation
    c = await repo.add(Consultation(
        id=draft.id or uuid.uuid4(), project_id=project.id, kind=draft.kind.value, title=draft.title,
        question=draft.question, status="draft", opens_at=draft.opens_at, closes_at=draft.closes_at,
        support_num=support.numerator, support_den=support.denominator,
        threshold_base=(draft.threshold_base or defaults.base).value,
        participation_num=participation.numerator if participation else None,
        participation_den=participation.denominator if participation else None))
    options = _options(c, option_drafts)
    session.add_all(options)
    await session.flush()
    await RECORDS.record_change(session, actor, action="consultation.create", entity_type="consultation",
                                entity_id=c.id, region_code=await _region(session, c), project_id=c.project_id,
                                after=snapshot(c, options), event=_changed(c))
    return Overview(c, options, 0)


UPDATABLE = frozenset({"title", "question", "opens_at", "closes_at", "support_required", "threshold_base",
                       "participation_required", "options"})


async def update_consultation(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID,
                              changes: dict[str, Any], expected: int | None) -> Overview:
    c = await _get(session, actor, consultation_id)
    check_version(c.version, expected)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if c.status != "draft":
        raise ConsultationNotDraft()
    repo = ConsultationRepository(session)
    options = list(await repo.options(c.id))
    before = snapshot(c, options)
    for name in ("title", "question", "opens_at", "closes_at"):
        if name in changes:
            setattr(c, name, changes[name])
    _check_period(c.opens_at, c.closes_at)
    if "support_required" in changes:
        share: Fraction = changes["support_required"]
        c.support_num, c.support_den = share.numerator, share.denominator
    if "threshold_base" in changes:
        c.threshold_base = ThresholdBase(changes["threshold_base"]).value
    if "participation_required" in changes:
        p: Fraction | None = changes["participation_required"]
        c.participation_num, c.participation_den = (p.numerator, p.denominator) if p else (None, None)
    if "options" in changes:
        drafts: list[OptionDraft] = list(changes["options"])
        _check_options(ConsultationKind(c.kind), drafts)
        current = [OptionDraft(o.label, o.supportive, o.score) for o in options]
        if drafts != current:
            options = _options(c, drafts)
            c.updated_at = utcnow()  # the options are part of the consultation: a new version
            await repo.replace_options(c, options)
    after = snapshot(c, options)
    if after != before:
        await session.flush()
        await RECORDS.record_change(session, actor, action="consultation.update", entity_type="consultation",
                                    entity_id=c.id, region_code=await _region(session, c), project_id=c.project_id,
                                    before=before, after=after, changed_only=True, event=_changed(c))
    return Overview(c, options, await repo.eligible_count(c.id))


async def eligible_from_relocation(session: AsyncSession, project_id: uuid.UUID) -> list[HouseholdEntry] | None:
    """The seam for relocation's household register: the households of the project, from the read
    model this service will keep of relocation's household events. Relocation publishes no such
    events yet, so there is no read model and this returns None (use an imported list)."""
    return None


async def import_households(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID,
                            entries: Sequence[HouseholdEntry]) -> dict[str, int]:
    """Add households to a draft's list (a household already listed gets the name and address
    given). The whole list is refused when any entry is bad."""
    c = await _get(session, actor, consultation_id)
    if c.status != "draft":
        raise ConsultationNotDraft()
    ids = [e.household_id for e in entries]
    if not entries or len(entries) > MAX_IMPORT:
        raise HouseholdListInvalid(errors=[FieldError("body.households", "size", f"每次导入 1 至 {MAX_IMPORT} 户")])
    seen: set[uuid.UUID] = set()
    errors = []
    for i, e in enumerate(entries):
        if e.household_id in seen:
            errors.append(FieldError(f"body.households.{i}.household_id", "duplicate", "同一户在名单中重复出现"))
        seen.add(e.household_id)
    if errors:
        raise HouseholdListInvalid(errors=errors)
    repo = ConsultationRepository(session)
    existing = await repo.households_among(c.id, ids)
    added = updated = 0
    for e in entries:
        old = existing.get(e.household_id)
        if old is None:
            session.add(EligibleHousehold(consultation_id=c.id, household_id=e.household_id, project_id=c.project_id,
                                          head_name=e.head_name, address=e.address, region_code=e.region_code,
                                          source="imported"))
            added += 1
        elif (old.head_name, old.address, old.region_code) != (e.head_name, e.address, e.region_code):
            old.head_name, old.address, old.region_code = e.head_name, e.address, e.region_code
            updated += 1
    await session.flush()
    eligible = await repo.eligible_count(c.id)
    if added or updated:
        # Counts only: the names are personal information and stay out of the audit trail.
        await RECORDS.record_change(session, actor, action="consultation.households_import",
                                    entity_type="consultation", entity_id=c.id, region_code=await _region(session, c),
                                    project_id=c.project_id,
                                    after={"added": added, "updated": updated, "eligible": eligible})
    return {"added": added, "updated": updated, "eligible": eligible}


async def list_households(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID,
                          page: PageRequest) -> tuple[PageResult[EligibleHousehold], dict[uuid.UUID, Ballot]]:
    if resident_only(actor):
        raise ResidentsMayNotList()
    c = await _get(session, actor, consultation_id)
    repo = ConsultationRepository(session)
    result = await repo.household_page(c.id, page)
    ballots = await repo.ballots_of(c.id, [h.household_id for h in result.items])
    return result, ballots


# --- open and close ---------------------------------------------------------------------------------


async def open_consultation(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID,
                            expected: int | None) -> Overview:
    c = await _get(session, actor, consultation_id, lock="update")
    check_version(c.version, expected)
    if c.status != "draft":
        raise ConsultationWrongStatus("只有草稿状态的征询可以发布", extra={"status": c.status})
    repo = ConsultationRepository(session)
    eligible = await repo.eligible_count(c.id)
    if eligible == 0:
        pulled = await eligible_from_relocation(session, c.project_id)
        if pulled:
            await import_households(session, actor, c.id, pulled)
            eligible = await repo.eligible_count(c.id)
    unmet = []
    if eligible == 0:
        unmet.append(FieldError("households", "no_households", "尚未导入参与户名单"))
    if c.closes_at <= utcnow():
        unmet.append(FieldError("closes_at", "period_over", "截止时间已过"))
    if unmet:
        raise ConsultationNotReady("；".join(e.message for e in unmet), errors=unmet)
    before = snapshot(c)
    c.status = "open"
    c.opened_at = utcnow()
    await session.flush()
    await RECORDS.record_change(session, actor, action="consultation.open", entity_type="consultation", entity_id=c.id,
                                region_code=await _region(session, c), project_id=c.project_id, before=before,
                                after=snapshot(c), changed_only=True, event=_changed(c))
    return Overview(c, list(await repo.options(c.id)), eligible)


def _figures(results: counting.Results) -> dict[str, Any]:
    """The results as stored (frozen) and served: plain JSON values, rates as strings."""
    def share(value: Fraction | None) -> str | None:
        return counting.format_share(value) if value is not None else None

    return {
        "eligible": results.eligible,
        "participants": results.participants,
        "participation_rate": str(results.participation_rate),
        "participation_required": share(results.participation_required),
        "participation_met": results.participation_met,
        "base": results.base.value,
        "support_required": share(results.support_required),
        "support_count": results.support_count,
        "support_rate": str(results.support_rate) if results.support_rate is not None else None,
        "average_score": str(results.average_score) if results.average_score is not None else None,
        "threshold_met": results.threshold_met,
        "options": [{"option_id": str(o.id), "label": o.label, "count": o.count, "rate": str(o.rate),
                     "share_of_eligible": str(o.share_of_eligible), "share_of_votes": str(o.share_of_votes),
                     "adopted": o.adopted} for o in results.options],
    }


async def _live(session: AsyncSession, c: Consultation) -> dict[str, Any]:
    repo = ConsultationRepository(session)
    options = [counting.OptionSpec(o.id, o.label, o.supportive, o.score) for o in await repo.options(c.id)]
    results = counting.tally(ConsultationKind(c.kind), await repo.eligible_count(c.id), options,
                             await repo.all_choices(c.id), threshold_of(c))
    return _figures(results)


def _closed(c: Consultation, region: str, closed_at: dt.datetime, figures: dict[str, Any]) -> ConsultationClosed:
    return ConsultationClosed(
        id=c.id, project_id=c.project_id, region_code=region, kind=c.kind, title=c.title,
        closed_at=closed_at, eligible=figures["eligible"], participants=figures["participants"],
        participation_rate=figures["participation_rate"], participation_required=figures["participation_required"],
        participation_met=figures["participation_met"], base=figures["base"],
        support_required=figures["support_required"], support_count=figures["support_count"],
        support_rate=figures["support_rate"], average_score=figures["average_score"],
        threshold_met=figures["threshold_met"],
        options=[OptionFigures(option_id=o["option_id"], label=o["label"], count=o["count"], rate=o["rate"],
                               adopted=o["adopted"]) for o in figures["options"]],
    )


async def close_consultation(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID,
                             expected: int | None) -> Overview:
    """Close the vote (before its closing time too) and freeze the results. The consultation row is
    locked first, so a vote either commits before the count or is refused after it."""
    c = await _get(session, actor, consultation_id, lock="update")
    check_version(c.version, expected)
    if c.status != "open":
        raise ConsultationWrongStatus("只有进行中的征询可以结束", extra={"status": c.status})
    before = snapshot(c)
    figures = await _live(session, c)
    closed_at = utcnow()
    c.status, c.closed_at, c.result = "closed", closed_at, {**figures, "computed_at": closed_at.isoformat()}
    await session.flush()
    region = await _region(session, c)
    await RECORDS.record_change(session, actor, action="consultation.close", entity_type="consultation", entity_id=c.id,
                                region_code=region, project_id=c.project_id, before=before,
                                after={**snapshot(c), "result": figures}, changed_only=True,
                                event=_closed(c, region, closed_at, figures))
    repo = ConsultationRepository(session)
    return Overview(c, list(await repo.options(c.id)), figures["eligible"])


async def results(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID) -> dict[str, Any]:
    """Live while open (or a draft), frozen once closed; residents see them once closed."""
    c = await _get(session, actor, consultation_id)
    if c.status == "closed" and c.result is not None:
        return {**c.result, "frozen": True, "status": c.status}
    if resident_only(actor):
        raise ResultsNotPublic()
    return {**await _live(session, c), "frozen": False, "status": c.status, "computed_at": utcnow().isoformat()}


# --- reads ------------------------------------------------------------------------------------------


async def get_consultation(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID) -> Overview:
    c = await _get(session, actor, consultation_id)
    repo = ConsultationRepository(session)
    overview = Overview(c, list(await repo.options(c.id)), await repo.eligible_count(c.id))
    if resident_only(actor) and actor.household_id is not None:
        overview.my_household_id = actor.household_id
        overview.my_ballot = await repo.ballot(c.id, actor.household_id)
    return overview


async def list_consultations(session: AsyncSession, actor: Principal, page: PageRequest, *,
                             project_id: uuid.UUID | None = None, kind: ConsultationKind | None = None,
                             status: str | None = None,
                             updated_since: dt.datetime | None = None) -> tuple[list[Overview], str | None]:
    repo = ConsultationRepository(session)
    result = await repo.page(ConsultationFilter(project_id=project_id, kind=kind.value if kind else None,
                                                status=status, updated_since=updated_since), _viewer(actor), page)
    ids = [c.id for c in result.items]
    options = await repo.options_of(ids)
    counts = await repo.eligible_counts(ids)
    overviews = [Overview(c, options[c.id], counts[c.id]) for c in result.items]
    if resident_only(actor) and actor.household_id is not None:
        for o in overviews:
            o.my_household_id = actor.household_id
            o.my_ballot = await repo.ballot(o.consultation.id, actor.household_id)
    return overviews, result.next_cursor


# --- votes ------------------------------------------------------------------------------------------


def _may_enter_for_others(actor: Principal) -> bool:
    return bool(actor.roles - {Role.resident})


async def cast_vote(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID, household_id: uuid.UUID,
                    vote: VoteRequest, if_match: str | None) -> tuple[Ballot, bool]:
    """Cast or change a household's ballot; (ballot, created). A change needs the ballot's ETag
    (If-Match); the first ballot needs none. Every cast is kept in the ballot log."""
    c = await _get(session, actor, consultation_id, lock="share")
    if vote.channel == "app":
        if actor.household_id != household_id:
            raise NotOwnHousehold()
    elif not _may_enter_for_others(actor):
        raise ChannelNotAllowed()
    now = utcnow()
    if c.status != "open" or now < c.opens_at or now >= c.closes_at:
        when = ("尚未开始" if c.status == "draft" or now < c.opens_at else "已结束")
        raise VotingNotOpen(f"本次征询{when}（投票期 {c.opens_at.isoformat()} 至 {c.closes_at.isoformat()}）",
                            extra={"status": c.status, "opens_at": c.opens_at.isoformat(),
                                   "closes_at": c.closes_at.isoformat()})
    repo = ConsultationRepository(session)
    if await repo.household(c.id, household_id) is None:
        raise HouseholdNotEligible(errors=[
            FieldError("path.household_id", "not_eligible", "该户不在本次征询的参与名单内")])
    options = await repo.options(c.id)
    refusal = counting.check_ballot(ConsultationKind(c.kind), [o.id for o in options], list(vote.choices))
    if refusal is not None:
        raise BallotInvalid(refusal[1], errors=[FieldError("body.choices", *refusal)])
    if vote.channel == "paper" and not vote.paper_form_no:
        raise BallotInvalid(errors=[FieldError("body.paper_form_no", "missing", "纸质表决票须填写表决票编号")])
    order = {o.id: o.position for o in options}
    choices = sorted(set(vote.choices), key=lambda i: order[i])
    ballot = await repo.ballot(c.id, household_id)
    if ballot is None:
        if if_match is not None and if_match.strip() != "*":
            raise PreconditionFailed("该户尚未投票，If-Match 所指的选票不存在")
        ballot = Ballot(consultation_id=c.id, household_id=household_id, project_id=c.project_id)
        before = None
        created = True
    else:
        check_version(ballot.version, expected_version(if_match))
        before = _ballot_snapshot(ballot)
        created = False
        if (list(ballot.choices), ballot.channel, ballot.paper_form_no) == (choices, vote.channel, vote.paper_form_no):
            return ballot, False  # the same ballot again: nothing changes
    ballot.choices, ballot.channel, ballot.paper_form_no = choices, vote.channel, vote.paper_form_no
    ballot.cast_by, ballot.cast_by_name, ballot.cast_at = actor.subject, actor.name or actor.subject, now
    if created:
        session.add(ballot)
    await session.flush()
    session.add(BallotLog(id=uuid.uuid4(), consultation_id=c.id, household_id=household_id, project_id=c.project_id,
                          ballot_version=ballot.version, choices=choices, channel=vote.channel,
                          paper_form_no=vote.paper_form_no, cast_by=ballot.cast_by, cast_by_name=ballot.cast_by_name,
                          cast_at=now))
    await session.flush()
    await RECORDS.record_change(session, actor, action="consultation.vote", entity_type="ballot",
                                entity_id=f"{c.id}:{household_id}", region_code=await _region(session, c),
                                project_id=c.project_id, before=before, after=_ballot_snapshot(ballot),
                                changed_only=True, event=_cast(ballot), aggregate_type="consultation",
                                aggregate_id=c.id)
    return ballot, created


def _cast(b: Ballot) -> BallotCast:
    return BallotCast(consultation_id=b.consultation_id, project_id=b.project_id, household_id=b.household_id,
                      choices=list(b.choices), channel=b.channel, cast_at=b.cast_at, ballot_version=b.version)


def _ballot_snapshot(b: Ballot) -> dict[str, Any]:
    return {"choices": [str(x) for x in b.choices], "channel": b.channel, "paper_form_no": b.paper_form_no,
            "version": b.version}


async def get_vote(session: AsyncSession, actor: Principal, consultation_id: uuid.UUID,
                   household_id: uuid.UUID) -> tuple[Ballot, Sequence[BallotLog]]:
    c = await _get(session, actor, consultation_id)
    if resident_only(actor) and actor.household_id != household_id:
        raise NotOwnHousehold()
    repo = ConsultationRepository(session)
    ballot = await repo.ballot(c.id, household_id)
    if ballot is None:
        raise VoteNotFound()
    return ballot, await repo.ballot_log(c.id, household_id)
