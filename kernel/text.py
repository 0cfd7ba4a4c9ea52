"""What text may hold: no control characters (tab, newline and carriage return aside), no
bidirectional overrides or isolates (they make a name read differently from what is stored), and no
value made only of invisible characters (zero-width spaces and the like; plain blanks are left to
each field's own rule). PostgreSQL refuses a NUL byte outright, so without this a
NUL in any field was a 500. Pure."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

#: Allowed C0 controls: in notes, addresses and pasted text.
ALLOWED_CONTROLS = frozenset("\t\n\r")
#: Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))

MESSAGES = {
    "control_character": "不能包含控制字符",
    "bidi_override": "不能包含双向文本控制字符",
    "invisible_only": "不能只由空白或不可见字符组成",
}


def text_problem(value: str) -> str | None:
    """Why a text is refused (a code of ``MESSAGES``), or None when it may be stored."""
    visible = invisible = False
    for ch in value:
        code = ord(ch)
        if (code < 0x20 and ch not in ALLOWED_CONTROLS) or code == 0x7F or 0x80 <= code <= 0x9F:
            return "control_character"
        if ch in BIDI_CONTROLS:
            return "bidi_override"
        if unicodedata.category(ch) == "Cf":
            invisible = True
        elif not ch.isspace():
            visible = True
    if invisible and not visible:  # zero-width spaces and the like, perhaps among blanks
        return "invisible_only"
    return None


def text_problems(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every refused text in a decoded JSON value (keys included), with its path."""
    if isinstance(value, str):
        problem = text_problem(value)
        if problem is not None:
            yield path, problem
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and (problem := text_problem(key)) is not None and problem != "invisible_only":
                yield (*path, key), problem
            yield from text_problems(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from text_problems(item, (*path, i))
