from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from kernel.pii.cipher import (
    InvalidPersonalData,
    PiiCipher,
    PiiKeyError,
    mask_id_card,
    mask_phone,
    new_key,
    normalize_id_card,
    normalize_phone,
    parse_keyring,
)

VALID_ID = "11010519491231002X"  # the GB 11643 specimen number


def cipher(ring: str, active: str) -> PiiCipher:
    return PiiCipher(parse_keyring(ring), active, b"i" * 32)


def test_id_card_checksum_and_normalization() -> None:
    assert normalize_id_card(" 11010519491231002x ") == VALID_ID
    with pytest.raises(InvalidPersonalData):
        normalize_id_card("110105194912310021")  # wrong check digit
    with pytest.raises(InvalidPersonalData):
        normalize_id_card("1101051949123100")  # too short


def test_phone_normalization() -> None:
    assert normalize_phone("+86 138-0737-1234") == "13807371234"
    assert normalize_phone("008613807371234") == "13807371234"
    for bad in ("12807371234", "1380737123", "02988887777"):
        with pytest.raises(InvalidPersonalData):
            normalize_phone(bad)


def test_masks() -> None:
    assert mask_id_card(VALID_ID) == "110105********002X"
    assert mask_phone("13807371234") == "138****1234"


def test_encryption_round_trip_is_randomized_and_bound_to_its_column() -> None:
    c = cipher(f"k1:{new_key()}", "k1")
    a, b = c.encrypt(VALID_ID, context="household.id_card"), c.encrypt(VALID_ID, context="household.id_card")
    assert a != b  # fresh nonce each time
    assert VALID_ID not in a
    assert c.decrypt(a, context="household.id_card") == VALID_ID
    with pytest.raises(InvalidTag):
        c.decrypt(a, context="household.phone")  # moved to another column: refused


def test_key_rotation_keeps_old_values_readable() -> None:
    k1, k2 = new_key(), new_key()
    old = cipher(f"k1:{k1}", "k1").encrypt("13807371234")
    rotated = cipher(f"k1:{k1},k2:{k2}", "k2")
    new = rotated.encrypt("13807371234")
    assert rotated.key_id(old) == "k1"
    assert rotated.key_id(new) == "k2"
    assert rotated.decrypt(old) == rotated.decrypt(new) == "13807371234"
    with pytest.raises(PiiKeyError):
        cipher(f"k2:{k2}", "k2").decrypt(old)  # a retired key that was removed


def test_keyring_validation() -> None:
    with pytest.raises(PiiKeyError):
        parse_keyring("k1:c2hvcnQ")
    with pytest.raises(PiiKeyError):
        PiiCipher(parse_keyring(f"k1:{new_key()}"), "k9", b"i" * 32)


@given(st.from_regex(r"\A1[3-9][0-9]{9}\Z"))
def test_blind_index_is_deterministic_keyed_and_kind_separated(phone: str) -> None:
    c = cipher(f"k1:{new_key()}", "k1")
    other = PiiCipher(c.keys, "k1", b"j" * 32)
    assert c.blind_index(phone, kind="phone") == c.blind_index(phone, kind="phone")
    assert c.blind_index(phone, kind="phone") != c.blind_index(phone, kind="id_card")
    assert c.blind_index(phone, kind="phone") != other.blind_index(phone, kind="phone")
    assert phone not in c.blind_index(phone, kind="phone")
