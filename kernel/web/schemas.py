"""Request-schema building blocks shared by every service."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator


class MergePatch(BaseModel):
    """A partial update: only the fields sent change; ``null`` clears an optional
    field, and is refused for the fields named in ``not_null``."""

    model_config = ConfigDict(extra="forbid")
    not_null: ClassVar[tuple[str, ...]] = ()

    @model_validator(mode="after")
    def _required_fields_not_null(self) -> MergePatch:
        for name in self.not_null:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} 不能为空")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


_FIELD_NAMES: dict[type[BaseModel], tuple[str, ...]] = {}


def attributes_of(model: type[BaseModel], obj: Any) -> dict[str, Any]:
    """The values of ``model``'s fields that ``obj`` (an ORM instance, a row, any object) has,
    for a response schema's before-validator. Loaded ORM attributes are read from the
    instance's ``__dict__``: going through each instrumented attribute cost more than the
    rest of a 50-row list response."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = tuple(model.model_fields)
    loaded = getattr(obj, "__dict__", None) or {}
    out: dict[str, Any] = {}
    for name in names:
        if name in loaded:
            out[name] = loaded[name]
        elif hasattr(obj, name):
            out[name] = getattr(obj, name)
    return out
