"""`run-local`: replay a compiled Argo DAG as local processes, executing exactly what the YAML says."""

from compiler.run_local.command import add_arguments, main, register, run

__all__ = ["add_arguments", "main", "register", "run"]
