from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kernel.regions import InvalidRegionCode, RegionLevel, contains, level_of, parent_of, significant_prefix


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("430000000000", RegionLevel.province, None),
        ("430900000000", RegionLevel.city, "430000000000"),
        ("430903000000", RegionLevel.county, "430900000000"),
        ("430903001000", RegionLevel.township, "430903000000"),
        ("430903001001", RegionLevel.village, "430903001000"),
        ("441900003000", RegionLevel.township, "441900000000"),  # city without districts (东莞)
    ],
)
def test_level_and_parent(code: str, level: RegionLevel, parent: str | None) -> None:
    assert level_of(code) is level
    assert parent_of(code) == parent


@pytest.mark.parametrize(
    "bad", ["", "43090300100", "4309030010000", "43090300100A", "000903001000", "４３０９０３００１０００"]
)
def test_malformed(bad: str) -> None:
    with pytest.raises(InvalidRegionCode):
        level_of(bad)


def test_scope_is_a_prefix_of_significant_digits() -> None:
    assert significant_prefix("430903001000") == "430903001"
    assert contains("430903000000", "430903001001")
    assert contains("430903001000", "430903001000")
    assert not contains("430903001000", "430903002000")  # sibling sub-district
    assert not contains("430903001000", "430903000000")  # parent district
    assert not contains("430903000000", "430902001000")  # another district


codes = st.from_regex(r"\A[1-9][0-9]{11}\Z")


@given(codes)
def test_parent_chain_ends_at_a_province_and_contains_the_code(code: str) -> None:
    steps = 0
    current: str | None = code
    while current is not None:
        assert contains(current, code)
        parent = parent_of(current)
        if parent is not None:
            assert list(RegionLevel).index(level_of(parent)) < list(RegionLevel).index(level_of(current))
        current = parent
        steps += 1
    assert steps <= 5
