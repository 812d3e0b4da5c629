"""`python -m compiler run-events`: the compiled Argo Events Sensors replayed against a local S3 store (README.md)."""

from compiler.run_events.command import register

__all__ = ["register"]
