"""Every query lives in a repository: fail when SQL is built, or a session asked for rows,
anywhere in the services and the gateway but their ``repository.py`` modules and migrations.

What counts as building a query: using SQLAlchemy's statement constructors (``select``,
``insert``, ``update``, ``delete``, ``text``, ``exists``, ``union``, ``func``, ``literal_column``…,
from ``sqlalchemy`` or a dialect) and asking a session or connection for rows (``.execute``,
``.scalar``, ``.scalars``, ``.stream``, ``.get``). Tables (``models.py``) may use ``func`` and
``text`` for server defaults and constraints. ``session.add``/``flush``/``delete`` of ORM objects
are units of work, not queries, and stay allowed in use cases.

Run: ``python -m scripts.check_queries [PATH ...]`` (default: services gateway); exit 1 on any
finding, with its file, line and what was used.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ("services", "gateway")

CONSTRUCTORS = frozenset({
    "select", "insert", "update", "delete", "text", "exists", "union", "union_all", "intersect", "except_",
    "func", "literal_column", "column", "table", "values", "lateral", "tuple_", "case", "cast", "and_", "or_",
    "not_", "true", "false", "null", "literal", "bindparam", "distinct", "over", "any_", "all_",
})
#: What a table definition may use (defaults, constraints, indexes).
DDL_ALLOWED = frozenset({"func", "text", "true", "false", "null", "literal_column"})
SESSION_CALLS = frozenset({"execute", "scalar", "scalars", "stream", "stream_scalars", "get", "get_one",
                           "exec_driver_sql"})
SESSION_NAMES = frozenset({"session", "conn", "connection", "db_session", "s"})


def allowed_file(path: Path) -> bool:
    parts = path.parts
    return path.name == "repository.py" or "migrations" in parts


def findings(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text("utf-8"), str(path))
    is_models = path.name in {"models.py", "database.py"}
    imported: dict[str, str] = {}  # local name -> sqlalchemy name
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if alias.name in CONSTRUCTORS and not (is_models and alias.name in DDL_ALLOWED):
                    imported[alias.asname or alias.name] = alias.name
                    yield node.lineno, f"imports sqlalchemy's {alias.name}"
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            yield node.lineno, f"builds {imported[func.id]}(...)"
        elif isinstance(func, ast.Attribute) and func.attr in SESSION_CALLS:
            owner = func.value
            name = owner.attr if isinstance(owner, ast.Attribute) else owner.id if isinstance(owner, ast.Name) else ""
            if name in SESSION_NAMES:
                yield node.lineno, f"asks the session for rows ({name}.{func.attr})"


def scan(paths: list[Path]) -> list[str]:
    out: list[str] = []
    for base in paths:
        files = [base] if base.is_file() else sorted(base.rglob("*.py"))
        for path in files:
            if allowed_file(path):
                continue
            seen: set[tuple[int, str]] = set()
            for line, what in findings(path):
                if (line, what) not in seen:
                    seen.add((line, what))
                    out.append(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:{line}: {what}")
    return out


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [ROOT / d for d in DEFAULT]
    problems = scan(paths)
    for p in problems:
        print(p)
    if problems:
        print(f"check-queries: {len(problems)} place(s) build a query outside a repository", file=sys.stderr)
        return 1
    print("check-queries: every query is in a repository")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
