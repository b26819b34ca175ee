"""The newest migration, read from the migration files without importing them (nor SQLAlchemy
or Alembic): opening a store checks it against the one row of ``alembic_version``."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

MIGRATIONS = Path(__file__).parent / "migrations"


@cache
def head_revision() -> str | None:
    """The newest migration, read from the files in ``migrations/versions`` without importing
    them: the one revision no other names as its ``down_revision`` (``None`` when there is not
    exactly one, which Alembic then reports)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values = _module_constants(path.read_text(encoding="utf-8"))
        revision, down = values.get("revision"), values.get("down_revision")
        if isinstance(revision, str):
            revisions.add(revision)
        for parent in down if isinstance(down, tuple | list) else (down,):
            if isinstance(parent, str):
                parents.add(parent)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


#: A module-level ``revision = ...`` or ``down_revision: ... = ...`` on one line.
_ASSIGNMENT = re.compile(r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.*?)\s*$", re.MULTILINE)


def _module_constants(source: str) -> dict[str, object]:
    """The literal values assigned to ``revision`` and ``down_revision`` at module level: read
    from their lines (parsing the whole file costs more than the rest of opening a store), or,
    when a value does not fit on its line, by parsing the file."""
    found: dict[str, object] = {}
    for match in _ASSIGNMENT.finditer(source):
        try:
            found[match[1]] = ast.literal_eval(match[2])
        except (SyntaxError, ValueError):
            return _parsed_constants(source)
    return found


def _parsed_constants(source: str) -> dict[str, object]:
    """``_module_constants`` by parsing the whole module."""
    found: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
            try:
                found[target.id] = ast.literal_eval(value)
            except ValueError:
                continue
    return found
