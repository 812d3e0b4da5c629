"""Which DAG task names Argo's `depends` cannot refer to: the words of the expr language that are not identifiers.

Argo 4.1 (workflow/controller/dag.go `evaluateDependsLogic`) expands `depends` (and `dependencies`, which become
`(x.Succeeded || x.Skipped || x.Daemoned)`), replaces every `-` with `_`, and compiles the result with
github.com/expr-lang/expr v1.17.8 (`argoexpr.EvalBool` → `expr.Compile(input, expr.Env(scope))`, no options).
In that version:

- parser/lexer/state.go `identifier`: the words `in`, `or`, `and`, `matches`, `contains`, `startsWith`, `endsWith`,
  `let` are emitted as Operator tokens, and `if`, `else` too unless `DisableIfOperator` (Argo does not set it);
  `not` gets its own state and is an Operator. `matches.Succeeded` is then a syntax error
  (`unexpected token Operator("matches")`).
- parser/parser.go `parseSecondary`: the identifiers `true`, `false`, `nil` become literals, so `true.Succeeded`
  fails type checking (a bool has no field `Succeeded`).
- Builtins (`len`, `all`, `map`, ...) are calls only when followed by `(` (`parseCall`), and the checker looks a
  name up in the environment (the scope of task results) before the builtins (checker/checker.go `ident`), so a
  task named `len` or `all` works.

A name containing `-` becomes an identifier with `_` and never one of these words; words are case-sensitive.
"""

import re

EXPR_VERSION = "v1.17.8"  # github.com/expr-lang/expr in argo-workflows v4.1.2 go.mod
OPERATOR_WORDS = frozenset(
    {"in", "or", "and", "matches", "contains", "startsWith", "endsWith", "let", "if", "else", "not"}
)
LITERAL_WORDS = frozenset({"true", "false", "nil"})
RESERVED_WORDS = OPERATOR_WORDS | LITERAL_WORDS


def argo_identifier(task_name: str) -> str:
    """The identifier Argo's expression sees for a task: every `-` read as `_`."""
    return task_name.replace("-", "_")


def depends_name_problem(task_name: str) -> str | None:
    """Why Argo's `depends` evaluation fails on a reference to this task, or None when it can refer to it."""
    identifier = argo_identifier(task_name)
    if identifier in OPERATOR_WORDS:
        return (
            f"task name {task_name!r} is an operator of the expr language Argo evaluates depends with "
            f"(unexpected token Operator({identifier!r})); rename the task"
        )
    if identifier in LITERAL_WORDS:
        return (
            f"task name {task_name!r} is a literal of the expr language Argo evaluates depends with "
            f"({identifier}.Succeeded is not a task result); rename the task"
        )
    if re.match(r"[0-9]", task_name):
        return f"task name {task_name!r} begins with a digit, which the expr language reads as a number"
    return None
