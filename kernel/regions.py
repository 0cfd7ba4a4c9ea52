"""Administrative division codes (行政区划代码): 12 digits, province 2, city 2,
county 2, township 3, village/community 3. A code's level is that of its last
non-zero segment; its parent is the code with that segment zeroed. Scope
checks are prefix checks on the significant digits.
"""

from __future__ import annotations

import enum
import re

from kernel.errors import FieldError, Invalid

CODE_PATTERN = r"^[0-9]{12}$"
PREFIX_PATTERN = r"^[0-9]{2,12}$"
_CODE = re.compile(CODE_PATTERN)

# (level, start, end) of each segment in the 12 digits
_SEGMENTS: tuple[tuple[str, int, int], ...] = (
    ("province", 0, 2),
    ("city", 2, 4),
    ("county", 4, 6),
    ("township", 6, 9),
    ("village", 9, 12),
)


class RegionLevel(enum.StrEnum):
    province = "province"
    city = "city"
    county = "county"
    township = "township"
    village = "village"


class InvalidRegionCode(Invalid, ValueError):
    """A malformed code; a ValueError too, so pydantic validators can raise it."""

    code = "region.invalid_code"
    title_zh = "行政区划代码格式不正确"
    title_en = "Malformed administrative division code"


def validate_code(code: str) -> str:
    if not _CODE.match(code):
        raise InvalidRegionCode("区划代码须为 12 位数字",
                                errors=[FieldError("code", "region_code_format", "区划代码须为 12 位数字")])
    if code[:2] == "00":
        raise InvalidRegionCode("区划代码的省级代码不能为 00",
                                errors=[FieldError("code", "region_code_format", "区划代码的省级代码不能为 00")])
    return code


def level_of(code: str) -> RegionLevel:
    validate_code(code)
    level = RegionLevel.province
    for name, start, end in _SEGMENTS:
        if int(code[start:end]) != 0:
            level = RegionLevel(name)
    return level


def parent_of(code: str) -> str | None:
    """The code with its last non-zero segment zeroed; None for a province."""
    level = level_of(code)
    if level is RegionLevel.province:
        return None
    for name, start, end in _SEGMENTS:
        if name == level.value:
            return code[:start] + "0" * (end - start) + code[end:]
    raise AssertionError("unreachable")


def significant_prefix(code: str) -> str:
    """The digits that identify the region, e.g. 430903001000 → 430903001.

    Every code inside the region starts with this prefix.
    """
    level = level_of(code)
    for name, _start, end in _SEGMENTS:
        if name == level.value:
            return code[:end]
    raise AssertionError("unreachable")


def contains(scope_code: str, code: str) -> bool:
    """Whether ``code`` lies inside the region ``scope_code`` (itself included)."""
    return validate_code(code).startswith(significant_prefix(scope_code))
