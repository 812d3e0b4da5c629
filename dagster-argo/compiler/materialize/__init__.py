"""`materialize`: the step each Argo pod runs, one asset in one process with Dagster retries off."""

from compiler.materialize.command import add_arguments, main, register, run

__all__ = ["add_arguments", "main", "register", "run"]
