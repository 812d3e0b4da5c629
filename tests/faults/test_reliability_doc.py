"""docs/RELIABILITY.md claims nothing without a test: every `path::name` it cites is a test function (or fixture)
that exists, and every row of its fault tables cites at least one."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "RELIABILITY.md"
# `tests/x.py::name`, and the `::name` shorthand that follows it for the same file.
_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?::(\w+)`")


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def cited(text: str) -> list[tuple[str, str]]:
    """(path, name) for every reference, the shorthand resolved to the last full path before it on its line."""
    found: list[tuple[str, str]] = []
    for line in text.splitlines():
        current: str | None = None
        for match in _REFERENCE.finditer(line):
            current = match.group(1) or current
            assert current is not None, f"`::{match.group(2)}` without a path before it: {line[:80]}"
            found.append((current, match.group(2)))
    return found


def test_every_cited_test_exists() -> None:
    references = cited(DOC.read_text(encoding="utf-8"))
    assert len(references) > 50
    missing = [
        f"{path}::{name}"
        for path, name in references
        if not (REPO / path).is_file() or name not in _functions(REPO / path)
    ]
    assert missing == []


def test_every_fault_row_cites_a_test() -> None:
    rows = [
        line
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith(("| fault |", "| property |", "|---"))
    ]
    assert len(rows) > 30
    uncited = [row[:80] for row in rows if "::" not in row.rsplit("|", 2)[-2] and "make audit" not in row]
    assert uncited == []
