"""A sealed personal field: one column of one kind of personal data (phone, ID-card number, bank
account), used the same way by every service.

A value is normalized (and checked), sealed with the column's name bound into the ciphertext, found
by a keyed hash of its normalized form, and leaves the service masked; it is opened only by a reveal
that states its purpose and is audited (``kernel.pii.reveal``). Records keep two columns per field:
the sealed value (``*_enc``) and its blind index (``*_index``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from kernel.errors import FieldError
from kernel.pii.cipher import (
    InvalidPersonalData,
    PiiCipher,
    mask_id_card,
    mask_phone,
    normalize_id_card,
    normalize_phone,
)

_ACCOUNT = re.compile(r"^[0-9]{8,30}$")


def normalize_bank_account(value: str) -> str:
    """A bank account or card number: digits only (spaces and dashes removed), 8 to 30 of them."""
    v = re.sub(r"[\s-]", "", value.strip())
    if not _ACCOUNT.match(v):
        message = "银行账号应为 8–30 位数字"
        raise InvalidPersonalData(message, errors=[FieldError("bank_account", "bank_account_format", message)])
    return v


def mask_bank_account(value: str) -> str:
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


@dataclass(frozen=True)
class PersonalKind:
    """A kind of personal datum: how it is normalized and masked, and the name that separates its
    blind index from other kinds'."""

    name: str
    label: str
    normalize: Callable[[str], str]
    mask: Callable[[str], str]


PHONE = PersonalKind("phone", "手机号", normalize_phone, mask_phone)
ID_CARD = PersonalKind("id_card", "身份证号", normalize_id_card, mask_id_card)
BANK_ACCOUNT = PersonalKind("bank_account", "银行账号", normalize_bank_account, mask_bank_account)


@dataclass(frozen=True)
class SealedField:
    kind: PersonalKind
    #: Bound into every ciphertext as associated data (``<entity>.<column>``): a value copied to
    #: another column does not decrypt.
    context: str
    cipher: PiiCipher
    #: Where an invalid value is reported (e.g. ``body.phone``), with this field's own message.
    field_path: str | None = None

    def bound(self, cipher: PiiCipher) -> SealedField:
        return replace(self, cipher=cipher)

    def normalize(self, value: str) -> str:
        try:
            return self.kind.normalize(value)
        except InvalidPersonalData as exc:
            if self.field_path is None:
                raise
            errors = [FieldError(self.field_path, e.code, e.message) for e in exc.errors]
            raise InvalidPersonalData(str(exc), errors=errors) from exc

    def index(self, normalized: str) -> str:
        return self.cipher.blind_index(normalized, kind=self.kind.name)

    def lookup(self, value: str) -> str:
        """The blind index of a value as a caller typed it (for finding a record by it)."""
        return self.index(self.normalize(value))

    def seal(self, normalized: str) -> str:
        return self.cipher.encrypt(normalized, context=self.context)

    def opened(self, sealed: str | None) -> str | None:
        """The whole value: only for an audited reveal."""
        return self.cipher.decrypt(sealed, context=self.context) if sealed else None

    def masked(self, sealed: str | None) -> str | None:
        return self.kind.mask(self.cipher.decrypt(sealed, context=self.context)) if sealed else None

    def assign(self, record: Any, value: str | None, *, sealed_attr: str, index_attr: str) -> bool:
        """Set (or, with ``None``, clear) the field on a record; whether it changed. The same value
        typed differently (spaces, +86) is no change."""
        if value is None:
            changed = getattr(record, index_attr) is not None
            setattr(record, sealed_attr, None)
            setattr(record, index_attr, None)
            return changed
        normalized = self.normalize(value)
        index = self.index(normalized)
        if index == getattr(record, index_attr):
            return False
        setattr(record, sealed_attr, self.seal(normalized))
        setattr(record, index_attr, index)
        return True
