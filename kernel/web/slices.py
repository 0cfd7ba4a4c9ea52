"""A service is composed of slices: each slice declares what it brings to the app (its router and
tag, the constraint names it maps to errors, the event handlers it contributes for each producer,
its demo loader), and ``create_service_app`` builds the app from one ``SLICES`` tuple.

The tuple's order is the order of routers, tags, handlers and demo loaders (a slice's demo data may
name records an earlier slice loaded)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter

from kernel.errors import ConstraintErrors, DomainError
from kernel.events.envelope import BatchHandler, Handler

#: Loads a slice's demo records in the caller's transaction; answers what it added, by kind.
DemoLoader = Callable[[Any], Awaitable[Mapping[str, int]]]


@dataclass(frozen=True)
class Slice:
    name: str
    router: APIRouter | None = None
    #: The router's OpenAPI tag and its description (Chinese, for the contract).
    tag: str | None = None
    tag_description: str = ""
    constraints: Mapping[str, type[DomainError]] = field(default_factory=dict)
    #: Event handlers, by producer, then by event type.
    handlers: Mapping[str, Mapping[str, Handler]] = field(default_factory=dict)
    batch_handlers: Mapping[str, Mapping[str, BatchHandler]] = field(default_factory=dict)
    demo: DemoLoader | None = None


def routers(slices: Sequence[Slice]) -> list[APIRouter]:
    return [s.router for s in slices if s.router is not None]


def tags(slices: Sequence[Slice]) -> list[dict[str, str]]:
    return [{"name": s.tag, "description": s.tag_description} for s in slices if s.tag]


def constraint_errors(slices: Sequence[Slice]) -> ConstraintErrors:
    merged: dict[str, type[DomainError]] = {}
    for s in slices:
        clash = merged.keys() & s.constraints.keys()
        if clash:
            raise ValueError(f"constraint names mapped twice: {sorted(clash)}")
        merged.update(s.constraints)
    return ConstraintErrors(merged)


def producers(slices: Sequence[Slice]) -> list[str]:
    seen: list[str] = []
    for s in slices:
        for p in (*s.handlers, *s.batch_handlers):
            if p not in seen:
                seen.append(p)
    return seen


def handlers_for(slices: Sequence[Slice], producer: str) -> tuple[dict[str, Handler], dict[str, BatchHandler]]:
    """Every slice's handlers of one producer's events; an event type handled twice is a mistake."""
    single: dict[str, Handler] = {}
    batch: dict[str, BatchHandler] = {}
    for s in slices:
        for target, source in ((single, s.handlers.get(producer, {})), (batch, s.batch_handlers.get(producer, {}))):
            for event_type, handler in source.items():
                if event_type in target:
                    raise ValueError(f"{producer} event {event_type} handled twice")
                target[event_type] = handler  # type: ignore[assignment]
    return single, batch
