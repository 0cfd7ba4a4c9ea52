"""Request-schema building blocks shared by every service."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator
from starlette.responses import Response


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
    for a response schema's before-validator. A row is read through its mapping and a loaded
    ORM instance through its ``__dict__``: going through instrumented attributes (or failing
    attribute lookups on a row) cost more than the rest of a 50-row list response."""
    names = _FIELD_NAMES.get(model)
    if names is None:
        names = _FIELD_NAMES[model] = tuple(model.model_fields)
    mapping = getattr(obj, "_mapping", None)  # a SQLAlchemy Row: its columns by name
    if mapping is not None:
        row = dict(mapping)
        return {name: row[name] for name in names if name in row}
    loaded = getattr(obj, "__dict__", None) or {}
    out: dict[str, Any] = {}
    for name in names:
        if name in loaded:
            out[name] = loaded[name]
        elif hasattr(obj, name):
            out[name] = getattr(obj, name)
    return out


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    """A response already shaped by its schema, serialized once. Returning the model itself makes
    FastAPI dump it, validate the dump against the route's ``response_model`` and serialize it
    again; for a page of 50 records that is a fifth of the request (decision 0014). The route
    keeps ``response_model`` for the contract."""
    return Response(content=model.model_dump_json(), status_code=status_code, media_type="application/json")
