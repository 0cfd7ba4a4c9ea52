"""Value vocabularies with their Chinese labels, declared once: every member names its label beside
its value, so a label cannot go missing or drift from its member. Pure.

    class Stage(LabelledEnum):
        reserve = "reserve", "谋划储备"
        approved = "approved", "立项"

    Stage.approved.label == "立项"; Stage("approved") is Stage.approved; Stage.labels()[Stage.reserve]
"""

from __future__ import annotations

import enum
from typing import Self


class LabelledEnum(enum.StrEnum):
    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def labels(cls) -> dict[Self, str]:
        """Every member with its label, in declaration order."""
        return {member: member.label for member in cls}

    @classmethod
    def label_of(cls, value: str) -> str:
        """The label of a stored value (a value this vocabulary does not know answers itself)."""
        try:
            return cls(value).label
        except ValueError:
            return value
