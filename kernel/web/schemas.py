"""Request-schema building blocks shared by every service."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic_core import to_json
from starlette.responses import Response

from kernel.regions import CODE_PATTERN


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


Derive = Callable[[dict[str, Any]], None]


class RowsJson:
    """A hot list's page written as JSON straight from read-only rows, without building and
    validating one response model per record (decision 0018): the columns the schema names are
    copied from each row, ``derive`` adds the fields the schema derives (labels, flags), and
    pydantic's serializer writes the page. The output must equal the schema's own dump of the
    same records; each use is tested for that against the single-record route, which goes
    through the schema. Anything that is not a row (an ORM instance) takes the schema's path."""

    def __init__(self, model: type[BaseModel], derived: Iterable[str] = (), derive: Derive | None = None) -> None:
        skip = set(derived)
        self.model = model
        self.columns = tuple(name for name in model.model_fields if name not in skip)
        self.derive = derive
        self._getters: dict[tuple[str, ...], Callable[[Any], tuple[Any, ...]]] = {}

    def _getter(self, fields: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
        getter = self._getters.get(fields)
        if getter is None:
            positions = [fields.index(name) for name in self.columns]  # ValueError: a column is missing
            single = itemgetter(*positions)
            getter = (lambda row: (single(row),)) if len(positions) == 1 else single
            self._getters[fields] = getter
        return getter

    def _items(self, rows: list[Any], derive: Derive | None) -> list[dict[str, Any]]:
        if not rows:
            return []
        fields = getattr(rows[0], "_fields", None)  # the rows of one result share their columns
        if fields is None:
            return [self.model.model_validate(row).model_dump(mode="json") for row in rows]
        getter, columns, derive = self._getter(fields), self.columns, derive or self.derive
        items = [dict(zip(columns, getter(row), strict=True)) for row in rows]
        if derive is not None:
            for values in items:
                derive(values)
        return items

    def page(self, rows: Iterable[Any], next_cursor: str | None, *, derive: Derive | None = None,
             extra: dict[str, Any] | None = None) -> Response:
        """``{"items": [...], "next_cursor": ...}`` as the schema's ``Page`` writes it, then ``extra``
        members of the page (``total``)."""
        items = self._items(list(rows), derive)
        body = {"items": items, "next_cursor": next_cursor, **(extra or {})}
        return Response(content=to_json(body), media_type="application/json")


#: A 12-digit administrative division code (行政区划代码) in a request or response.
RegionCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN),
                       Field(description="12 位行政区划代码", examples=["430903001000"])]
