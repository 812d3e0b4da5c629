"""Argo `depends` expressions, limited to the forms a compiled DAG uses: `a && b.Succeeded` (a bare `a` also
holds when `a` was Skipped by its `when`; `a.Succeeded` does not).

Names are checked as Argo's controller reads them (`-` as `_`, then the expr language, compiler/validate/expr.py):
a task Argo's expression cannot name is refused here too, so a replay never succeeds where the cluster would not.
"""

import re
from collections.abc import Iterable

from compiler.run_local.errors import RunLocalError
from compiler.validate.expr import depends_name_problem

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
    return check_names(names, task, f"depends {expression!r}")


def succeeded_terms(expression: str) -> frozenset[str]:
    """The tasks named as `t.Succeeded`: unlike a bare `t`, a Skipped `t` does not satisfy them."""
    names = set()
    for raw in expression.split("&&") if expression.strip() else ():
        match = _TERM.fullmatch(raw.strip())
        if match is not None and match["result"] == "Succeeded":
            names.add(match["task"])
    return frozenset(names)


def check_names(names: Iterable[str], task: str, where: str) -> frozenset[str]:
    """`dependencies` too: Argo expands them into a `depends` expression and evaluates that."""
    for name in sorted(names):
        problem = depends_name_problem(name)
        if problem:
            raise RunLocalError(f"task {task!r}: {where}: Argo cannot evaluate it: {problem}")
    return frozenset(names)
