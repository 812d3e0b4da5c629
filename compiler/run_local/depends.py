"""Argo `depends` expressions, limited to the forms a compiled DAG uses: `a && b.Succeeded`."""

import re

from compiler.run_local.errors import RunLocalError

_TERM = re.compile(r"(?P<task>[A-Za-z0-9][A-Za-z0-9-]*)(?:\.(?P<result>[A-Za-z]+))?")


def parse_depends(expression: str, task: str) -> frozenset[str]:
    """Task names that must succeed first; anything beyond `&&` of plain or `.Succeeded` terms is refused."""
    names: set[str] = set()
    for raw in expression.split("&&"):
        term = raw.strip()
        match = _TERM.fullmatch(term)
        if match is None or (match["result"] not in (None, "Succeeded")):
            raise RunLocalError(
                f"task {task!r}: depends {expression!r} is not supported locally (term {term!r}); "
                "use 'a && b' or 'a.Succeeded && b.Succeeded'"
            )
        names.add(match["task"])
    return frozenset(names)
