"""Use cases for land parcels (地块): register, change, move through 交地 → 挂牌 → 成交 (or a
withdrawn listing back to 交地), read, list, history. They receive the session and the caller and
never commit. A parcel is seen through its project: one outside the caller's scope is "not
found". Every change is audited and announced (``projects.parcel.changed``); a sale also emits
``projects.parcel.sold`` (land-sale income, for funding) in the same transaction.
The rules themselves (areas, status machine, dates, price) are in ``rules``."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts.projects import ParcelChanged, ParcelSold
from kernel import calendar
from kernel.auth.principal import Principal
from kernel.concurrency import check_version
from kernel.errors import FieldError
from kernel.pagination import PageRequest, PageResult
from services.projects.database import RECORDS
from services.projects.land import rules
from services.projects.land.errors import (
    ParcelAreaInvalid,
    ParcelCodeTaken,
    ParcelDateInvalid,
    ParcelIdTaken,
    ParcelPriceInvalid,
    ParcelProjectUnknown,
    ParcelSettled,
    ParcelTransitionRefused,
)
from services.projects.land.models import Parcel, ParcelHistory
from services.projects.land.repository import ParcelFilter, ParcelRepository
from services.projects.land.rules import ParcelAction, ParcelStatus, PlannedUse
from services.projects.regions import service as regions_uc
from services.projects.registry import service as project_uc

__all__ = ["ParcelDraft", "ParcelStep", "create_parcel", "get_parcel", "list_parcels", "parcel_history",
           "step_parcel", "update_parcel"]


@dataclass(frozen=True, slots=True)
class ParcelDraft:
    project_id: uuid.UUID
    code: str
    name: str
    planned_use: PlannedUse
    cleared_on: dt.date
    area_mu: Decimal | None = None
    area_m2: Decimal | None = None
    region_code: str | None = None  # default: the project's region
    note: str | None = None
    id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ParcelStep:
    """One step: 交地 (hand_over), 挂牌 (list: starting price, venue), 流拍/撤牌 (withdraw: reason),
    成交 (sell: buyer, price)."""

    action: ParcelAction
    on: dt.date
    starting_price: Decimal | None = None
    venue: str | None = None
    reason: rules.WithdrawalReason | None = None
    buyer: str | None = None
    price: Decimal | None = None
    note: str | None = None


UPDATABLE = frozenset({"code", "name", "planned_use", "region_code", "area_mu", "area_m2", "note"})
AUDITED = ("code", "name", "planned_use", "region_code", "area_mu", "area_m2", "note", "status", "cleared_on",
           "handed_over_on", "listed_on", "listing_starting_price", "listing_venue", "sold_on", "sale_buyer",
           "sale_price")


def snapshot(parcel: Parcel) -> dict[str, Any]:
    return {name: getattr(parcel, name) for name in AUDITED}


def _changed(parcel: Parcel) -> ParcelChanged:
    return ParcelChanged(
        id=parcel.id, project_id=parcel.project_id, code=parcel.code, name=parcel.name,
        region_code=parcel.region_code, area_mu=parcel.area_mu, area_m2=parcel.area_m2,
        planned_use=parcel.planned_use, status=parcel.status, cleared_on=parcel.cleared_on,
        handed_over_on=parcel.handed_over_on, listed_on=parcel.listed_on, sold_on=parcel.sold_on,
        version=parcel.version,
    )


def _sold(parcel: Parcel, on: dt.date, buyer: str, price: Decimal) -> ParcelSold:
    return ParcelSold(
        parcel_id=parcel.id, parcel_code=parcel.code, project_id=parcel.project_id,
        region_code=parcel.region_code, amount=price, sale_date=on, buyer=buyer, area_mu=parcel.area_mu,
        price_per_mu=rules.price_per_mu(price, parcel.area_mu),
    )


async def _history(session: AsyncSession, actor: Principal, parcel: Parcel, action: str,
                   from_status: str | None, on: dt.date, details: dict[str, Any]) -> None:
    await ParcelRepository(session).add_history(ParcelHistory(
        id=uuid.uuid4(), parcel_id=parcel.id, project_id=parcel.project_id, action=action, from_status=from_status,
        to_status=parcel.status, on_date=on, details=details, actor=actor.subject, actor_name=actor.name))


def _areas(mu: Decimal | None, m2: Decimal | None, factor: Decimal) -> tuple[Decimal, Decimal]:
    try:
        return rules.resolve_areas(mu, m2, factor)
    except rules.AreaError as exc:
        raise ParcelAreaInvalid(exc.message, errors=[FieldError("body.area_mu", exc.reason, exc.message)]) from exc


async def create_parcel(session: AsyncSession, actor: Principal, draft: ParcelDraft, *,
                        factor: Decimal = rules.DEFAULT_SQUARE_METRES_PER_MU) -> Parcel:
    try:
        project = await project_uc.get_project(session, actor, draft.project_id)
    except project_uc.ProjectNotFound as exc:
        raise ParcelProjectUnknown(errors=[FieldError("body.project_id", "unknown_project", "项目不存在")]) from exc
    region = draft.region_code or project.region_code
    if draft.region_code is not None:
        await regions_uc.require_region(session, actor, draft.region_code)
    mu, m2 = _areas(draft.area_mu, draft.area_m2, factor)
    today = calendar.today()
    if draft.cleared_on > today:
        raise ParcelDateInvalid(errors=[FieldError("body.cleared_on", "date_in_future", "清零日期不能晚于今天")])
    repo = ParcelRepository(session)
    if await repo.code_taken(draft.code):
        raise ParcelCodeTaken(errors=[FieldError("body.code", "code_taken", f"地块编号 {draft.code} 已存在")])
    if draft.id is not None and await repo.exists(draft.id):
        raise ParcelIdTaken()
    parcel = await repo.add(Parcel(
        id=draft.id or uuid.uuid4(), project_id=project.id, code=draft.code, name=draft.name, region_code=region,
        area_mu=mu, area_m2=m2, planned_use=draft.planned_use.value, status=ParcelStatus.cleared.value,
        cleared_on=draft.cleared_on, note=draft.note))
    await _history(session, actor, parcel, "register", None, draft.cleared_on, {})
    await RECORDS.record_change(session, actor, action="parcel.create", entity_type="parcel", entity_id=parcel.id,
                                region_code=parcel.region_code, project_id=parcel.project_id,
                                after=snapshot(parcel), event=_changed(parcel))
    return parcel


async def get_parcel(session: AsyncSession, actor: Principal, parcel_id: uuid.UUID) -> Parcel:
    return await ParcelRepository(session).require(parcel_id, actor.scope)


async def list_parcels(session: AsyncSession, actor: Principal, page: PageRequest, *,
                       project_id: uuid.UUID | None = None, status: ParcelStatus | None = None,
                       planned_use: PlannedUse | None = None, region_prefix: str | None = None,
                       updated_since: dt.datetime | None = None) -> PageResult[Parcel]:
    f = ParcelFilter(project_id=project_id, status=status.value if status else None,
                     planned_use=planned_use.value if planned_use else None, region_prefix=region_prefix,
                     updated_since=updated_since)
    return await ParcelRepository(session).page(f, actor.scope, page)


async def parcel_history(session: AsyncSession, actor: Principal, parcel_id: uuid.UUID) -> Sequence[ParcelHistory]:
    parcel = await get_parcel(session, actor, parcel_id)
    return await ParcelRepository(session).history(parcel.id)


async def update_parcel(session: AsyncSession, actor: Principal, parcel_id: uuid.UUID, changes: dict[str, Any],
                        expected_version: int | None, *,
                        factor: Decimal = rules.DEFAULT_SQUARE_METRES_PER_MU) -> Parcel:
    parcel = await get_parcel(session, actor, parcel_id)
    check_version(parcel.version, expected_version)
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise ValueError(f"not updatable: {sorted(unknown)}")
    if parcel.status == ParcelStatus.sold and {"area_mu", "area_m2", "planned_use"} & set(changes):
        raise ParcelSettled()
    if "code" in changes and changes["code"] != parcel.code and await ParcelRepository(session).code_taken(
            changes["code"], other_than=parcel.id):
        raise ParcelCodeTaken(errors=[FieldError("body.code", "code_taken", f"地块编号 {changes['code']} 已存在")])
    if "region_code" in changes and changes["region_code"] != parcel.region_code:
        await regions_uc.require_region(session, actor, changes["region_code"])
    values = dict(changes)
    if "area_mu" in changes or "area_m2" in changes:
        # The unit given wins; the other is derived again (both given: they must agree).
        values["area_mu"], values["area_m2"] = _areas(changes.get("area_mu"), changes.get("area_m2"), factor)
    if "planned_use" in values:
        values["planned_use"] = PlannedUse(values["planned_use"]).value
    before = snapshot(parcel)
    for name, value in values.items():
        setattr(parcel, name, value)
    after = snapshot(parcel)
    if after != before:
        await session.flush()
        await RECORDS.record_change(session, actor, action="parcel.update", entity_type="parcel",
                                    entity_id=parcel.id, region_code=parcel.region_code,
                                    project_id=parcel.project_id, before=before, after=after, changed_only=True,
                                    event=_changed(parcel))
    return parcel


def _sale(step: ParcelStep, parcel: Parcel) -> tuple[str, Decimal]:
    """The buyer and price of a sale, checked against the listing's starting price."""
    if step.buyer is None or step.price is None:
        raise ParcelPriceInvalid(errors=[FieldError("body.price", "missing", "成交须填写竞得人和成交价")])
    refusal = rules.check_sale_price(step.price, parcel.listing_starting_price)
    if refusal is not None:
        raise ParcelPriceInvalid(refusal.message,
                                 errors=[FieldError("body.price", refusal.reason, refusal.message)])
    return step.buyer, step.price


async def step_parcel(session: AsyncSession, actor: Principal, parcel_id: uuid.UUID, step: ParcelStep,
                      expected_version: int | None) -> Parcel:
    parcel = await get_parcel(session, actor, parcel_id)
    check_version(parcel.version, expected_version)
    current = ParcelStatus(parcel.status)
    outcome = rules.check_transition(current, step.action, step.on, rules.StepDates(
        parcel.cleared_on, parcel.handed_over_on, parcel.listed_on), calendar.today())
    if isinstance(outcome, rules.Refusal):
        kind = ParcelTransitionRefused if outcome.reason == "transition_not_allowed" else ParcelDateInvalid
        field = "body.action" if kind is ParcelTransitionRefused else "body.on"
        raise kind(outcome.message, errors=[FieldError(field, outcome.reason, outcome.message)],
                   extra={"status": current.value, "allowed_actions": [
                       a.value for (s, a) in rules.TRANSITIONS if s == current]})
    before = snapshot(parcel)
    details: dict[str, Any] = {}
    sale: tuple[str, Decimal] | None = None
    if step.action is ParcelAction.hand_over:
        parcel.handed_over_on = step.on
    elif step.action is ParcelAction.list:
        parcel.listed_on = step.on
        parcel.listing_starting_price = step.starting_price
        parcel.listing_venue = step.venue
        details = {"starting_price": f"{step.starting_price:.2f}" if step.starting_price is not None else None,
                   "venue": step.venue}
    elif step.action is ParcelAction.withdraw:
        details = {"reason": step.reason.value if step.reason else None, "listed_on": parcel.listed_on.isoformat()
                   if parcel.listed_on else None, "starting_price": f"{parcel.listing_starting_price:.2f}"
                   if parcel.listing_starting_price is not None else None, "venue": parcel.listing_venue}
        parcel.listed_on = None
        parcel.listing_starting_price = None
        parcel.listing_venue = None
    elif step.action is ParcelAction.sell:
        sale = _sale(step, parcel)
        parcel.sold_on, parcel.sale_buyer, parcel.sale_price = step.on, sale[0], sale[1]
        details = {"buyer": sale[0], "price": f"{sale[1]:.2f}"}
    if step.note:
        details["note"] = step.note
    parcel.status = outcome.value
    await session.flush()
    await _history(session, actor, parcel, step.action.value, current.value, step.on, details)
    event: ParcelChanged | ParcelSold = _changed(parcel)
    if sale is not None:
        # The change first, then the land-sale income (funding), then the audit entry.
        await RECORDS.outbox.emit(session, event, aggregate_type="parcel", aggregate_id=parcel.id,
                                  region_code=parcel.region_code, project_id=parcel.project_id)
        event = _sold(parcel, step.on, *sale)
    await RECORDS.record_change(session, actor, action=f"parcel.{step.action.value}", entity_type="parcel",
                                entity_id=parcel.id, region_code=parcel.region_code, project_id=parcel.project_id,
                                before=before, after=snapshot(parcel), changed_only=True, event=event)
    return parcel
