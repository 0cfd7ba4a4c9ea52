"""Unit tests of the kernel pieces the reshape introduced: labelled vocabularies, sealed personal
fields, reveal schemas, slice composition, the UTC reading of ``updated_since``, the newest-version
dedup, the permission registry, and the two checks ``make test`` runs on the code's shape."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

import pytest
from fastapi import APIRouter
from pydantic import Field

from kernel.auth import permissions
from kernel.auth.principal import Principal
from kernel.auth.roles import Role
from kernel.db.upsert import newest_by_key
from kernel.errors import Conflict, Invalid
from kernel.pii.cipher import DEV_INDEX_KEY, DEV_KEYRING, InvalidPersonalData, PiiCipher
from kernel.pii.reveal import RevealedBase, RevealRequest, RevealRequestBase
from kernel.pii.sealed import BANK_ACCOUNT, ID_CARD, PHONE, SealedField, mask_bank_account, normalize_bank_account
from kernel.vocabulary import LabelledEnum
from kernel.web.deps import as_utc
from kernel.web.slices import Slice, constraint_errors, handlers_for, producers, routers, tags

ROOT = Path(__file__).resolve().parents[2]
CIPHER = PiiCipher.from_settings(DEV_KEYRING, "dev1", DEV_INDEX_KEY)


class Colour(LabelledEnum):
    red = "red", "红"
    green = "green", "绿"


def test_a_labelled_enum_member_is_its_value_and_carries_its_label() -> None:
    assert Colour("green") is Colour.green
    assert Colour.green == "green"
    assert f"{Colour.green}" == "green"
    assert Colour.green.label == "绿"
    assert Colour.labels() == {Colour.red: "红", Colour.green: "绿"}
    assert Colour.label_of("red") == "红"
    assert Colour.label_of("blue") == "blue"
    with pytest.raises(ValueError, match="blue"):
        Colour("blue")


def test_a_sealed_field_seals_finds_masks_and_opens() -> None:
    phones = SealedField(PHONE, "person.phone", CIPHER, field_path="body.phone")
    record = SimpleNamespace(phone_enc=None, phone_index=None)
    assert phones.assign(record, "+86 138-0070-0302", sealed_attr="phone_enc", index_attr="phone_index")
    assert "13800700302" not in record.phone_enc
    assert phones.masked(record.phone_enc) == "138****0302"
    assert phones.opened(record.phone_enc) == "13800700302"
    assert record.phone_index == phones.lookup("13800700302")
    # the same number typed another way is no change; clearing is one
    assert not phones.assign(record, "138 0070 0302", sealed_attr="phone_enc", index_attr="phone_index")
    assert phones.assign(record, None, sealed_attr="phone_enc", index_attr="phone_index")
    assert record.phone_enc is None
    assert record.phone_index is None
    assert not phones.assign(record, None, sealed_attr="phone_enc", index_attr="phone_index")


def test_a_sealed_value_is_bound_to_its_column_and_kinds_do_not_share_an_index() -> None:
    a = SealedField(PHONE, "person.phone", CIPHER)
    b = SealedField(PHONE, "user.phone", CIPHER)
    with pytest.raises(Exception):  # noqa: B017,PT011 - AES-GCM refuses the other column's associated data
        b.opened(a.seal("13800700302"))
    accounts = SealedField(BANK_ACCOUNT, "household.bank_account", CIPHER)
    assert accounts.index("13800700302") != a.index("13800700302")


def test_an_invalid_value_names_the_field_it_came_in() -> None:
    with pytest.raises(InvalidPersonalData) as caught:
        SealedField(ID_CARD, "member.id_card", CIPHER, field_path="body.members.0.id_card").normalize("1234")
    assert [(e.field, e.code) for e in caught.value.errors] == [("body.members.0.id_card", "id_card_format")]


def test_bank_accounts_are_digits_and_masked_but_for_the_ends() -> None:
    assert normalize_bank_account("6222 0212-3456 7890 123") == "6222021234567890123"
    assert mask_bank_account("6222021234567890123") == "6222***********0123"
    for bad in ("6222-abc", "1234567", "1" * 31):
        with pytest.raises(InvalidPersonalData):
            normalize_bank_account(bad)


class _HouseholdRevealRequest(RevealRequestBase):
    fields: list[Literal["id_card", "phone", "bank_account"]] = Field(  # type: ignore[assignment]
        min_length=1, max_length=3)


class _HouseholdRevealed(RevealedBase):
    id_card: str | None = None
    phone: str | None = None
    bank_account: str | None = None


def test_one_reveal_shape_serves_any_set_of_sealed_fields() -> None:
    asked = _HouseholdRevealRequest.model_validate({"purpose": "核实补偿收款账户",
                                                    "fields": ["bank_account", "id_card"]})
    assert asked.fields == ["bank_account", "id_card"]
    with pytest.raises(ValueError, match="fields"):
        _HouseholdRevealRequest.model_validate({"purpose": "核实补偿收款账户", "fields": ["email"]})
    with pytest.raises(ValueError, match="purpose"):
        _HouseholdRevealRequest.model_validate({"purpose": " ", "fields": ["phone"]})
    with pytest.raises(ValueError, match="extra"):
        RevealRequest.model_validate({"purpose": "核实", "fields": ["phone"], "why": "x"})
    shown = _HouseholdRevealed(id=uuid.uuid4(), phone="13800700302")
    assert shown.revealed() == {"phone": "13800700302"}


class _Taken(Conflict):
    code = "x.taken"
    title_zh = "已存在"
    title_en = "Taken"


class _Bad(Invalid):
    code = "x.bad"
    title_zh = "无效"
    title_en = "Bad"


async def _noop(session: object, event: object) -> None:
    return None


def test_slices_compose_routers_tags_constraints_and_handlers_in_order() -> None:
    a, b = APIRouter(), APIRouter()
    slices = (Slice("s.a", a, "a", "甲", constraints={"uq_a": _Taken}, handlers={"relocation": {"r.x": _noop}}),
              Slice("s.b", b, None, constraints={"ck_b": _Bad}, handlers={"funding": {"f.y": _noop}}),
              Slice("s.c", handlers={"relocation": {"r.z": _noop}}))
    assert routers(slices) == [a, b]
    assert tags(slices) == [{"name": "a", "description": "甲"}]
    assert constraint_errors(slices).lookup("ck_b") is _Bad
    assert producers(slices) == ["relocation", "funding"]
    single, batch = handlers_for(slices, "relocation")
    assert set(single) == {"r.x", "r.z"}
    assert batch == {}


def test_a_constraint_or_an_event_claimed_by_two_slices_is_refused() -> None:
    with pytest.raises(ValueError, match="uq_a"):
        constraint_errors((Slice("a", constraints={"uq_a": _Taken}), Slice("b", constraints={"uq_a": _Bad})))
    with pytest.raises(ValueError, match=r"r\.x"):
        handlers_for((Slice("a", handlers={"relocation": {"r.x": _noop}}),
                      Slice("b", handlers={"relocation": {"r.x": _noop}})), "relocation")


def test_updated_since_without_a_zone_is_utc() -> None:
    naive = dt.datetime(2026, 12, 6, 8, 0)
    assert as_utc(naive) == naive.replace(tzinfo=dt.UTC)
    shanghai = dt.datetime(2026, 12, 6, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert as_utc(shanghai) is shanghai
    assert as_utc(None) is None


def test_only_each_keys_newest_version_is_kept() -> None:
    rows = [{"id": 1, "version": 2, "v": "b"}, {"id": 2, "version": 1, "v": "x"}, {"id": 1, "version": 3, "v": "c"},
            {"id": 1, "version": 1, "v": "a"}]
    assert newest_by_key(rows, "id", "version") == [{"id": 1, "version": 3, "v": "c"},
                                                     {"id": 2, "version": 1, "v": "x"}]


def test_permissions_are_declared_by_services_and_may_not_disagree() -> None:
    permissions.declare({"test.reshape.read": frozenset({Role.auditor})})
    permissions.declare({"test.reshape.read": frozenset({Role.auditor})})  # the same again: fine
    with pytest.raises(ValueError, match=r"test\.reshape\.read"):
        permissions.declare({"test.reshape.read": frozenset({Role.admin})})
    auditor = Principal(subject="user:x", kind="user", name="审计", roles=frozenset({Role.auditor}), region_code=None)
    assert auditor.may("test.reshape.read")
    assert auditor.may("audit.read")
    assert not auditor.may("pii.reveal")
    with pytest.raises(KeyError, match=r"nothing\.like\.this"):
        auditor.may("nothing.like.this")


def _write(base: Path, rel: str, text: str) -> Path:
    path = base / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def test_the_query_check_fails_on_a_query_outside_a_repository(tmp_path: Path) -> None:
    _write(tmp_path, "svc/things/repository.py", """
        from sqlalchemy import select
        async def one(session, model):
            return await session.scalar(select(model))
    """)
    _write(tmp_path, "svc/things/models.py", """
        from sqlalchemy import func, text
        DEFAULT = func.now(), text("true")
    """)
    clean = subprocess.run([sys.executable, "-m", "scripts.check_queries", str(tmp_path)], cwd=ROOT,
                           capture_output=True, text=True)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    _write(tmp_path, "svc/things/service.py", """
        from sqlalchemy import select
        async def sneaky(session, model):
            return (await session.execute(select(model))).all()
    """)
    dirty = subprocess.run([sys.executable, "-m", "scripts.check_queries", str(tmp_path)], cwd=ROOT,
                           capture_output=True, text=True)
    assert dirty.returncode == 1
    assert "svc/things/service.py:2: imports sqlalchemy's select" in dirty.stdout
    assert "svc/things/service.py:4: asks the session for rows (session.execute)" in dirty.stdout
