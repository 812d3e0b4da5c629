"""The pod's Dagster console log: every event as Dagster prints it, but a failure on one line, not a traceback.

Dagster's console logger appends the whole error, stack trace and chained causes, to a STEP_FAILURE or RUN_FAILURE
line (`dagster._core.log_manager.construct_log_record_message`): about 30 lines each, so the line that says what
went wrong (a wrong secret, a bad bucket) came after ~68 lines in a pod's log. This logger is Dagster's own console
logger (`create_console_logger`: same name, level, format) with a filter on its handlers that keeps the event line
and replaces the appended error by its first line, the user's exception. The full traceback is one switch away:
`--debug`, or env `COMPILER_DEBUG=1` (which a manifest can set, e.g. in `[tool.compiler.env]`).

It replaces only Dagster's default console logger: a project that defines its own loggers keeps them.
"""

import logging
import os
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Dagster is imported when a pod runs a step, not when the CLI imports this module
    from dagster import LoggerDefinition

DEBUG_ENV = "COMPILER_DEBUG"
_TRUE = ("1", "true", "yes", "on")
HINT = "(traceback: --debug or COMPILER_DEBUG=1)"


def debug_wanted(flag: bool = False) -> bool:
    """`--debug`, or the env switch a manifest can set without changing the command."""
    return flag or os.environ.get(DEBUG_ENV, "").strip().lower() in _TRUE


def want_debug() -> None:
    """`--debug` given: the pod's Dagster console prints full tracebacks too (read when the logger starts)."""
    os.environ[DEBUG_ENV] = "1"


class OneLineErrors(logging.Filter):
    """Cut the error Dagster appended to an event line down to its first line (the innermost user error)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata

        if not has_log_record_metadata(record):
            return True
        event = get_log_record_metadata(record).get("dagster_event")
        error = getattr(getattr(event, "event_specific_data", None), "error", None)
        message = record.msg if isinstance(record.msg, str) else None
        if error is None or message is None or "\n" not in message:
            return True
        head, _, appended = message.partition("\n\n")
        first = next((line.strip() for line in appended.splitlines() if line.strip()), "")
        record.msg = f"{head.strip().rstrip('.')}: {first} {HINT}" if first else head
        return True


@cache
def pod_console_logger() -> "LoggerDefinition":
    """Built once per process (the same object each time, so the run config can tell it from the project's)."""
    from dagster import Field, logger
    from dagster._core.utils import coerce_valid_log_level
    from dagster._utils.log import create_console_logger

    @logger(
        Field(
            {
                "log_level": Field(str, is_required=False, default_value="INFO"),
                "name": Field(str, is_required=False, default_value="dagster"),
            }
        ),
        description="Dagster's colored console logger, failures on one line unless COMPILER_DEBUG=1 (pods).",
    )
    def pod_console(init_context: Any) -> logging.Logger:
        config = init_context.logger_config
        console = create_console_logger(name=config["name"], level=coerce_valid_log_level(config["log_level"]))
        if not debug_wanted():
            for handler in console.handlers:
                handler.addFilter(OneLineErrors())
        return console

    return pod_console


def pod_loggers(defined: object) -> dict[str, "LoggerDefinition"]:
    """The loggers the pod job gets: the concise console one unless the project defines loggers of its own."""
    return {} if defined else {"console": pod_console_logger()}


def pod_logger_run_config(job_loggers: Mapping[str, "LoggerDefinition"]) -> dict[str, Any]:
    """Dagster starts a job's logger only when the run config names it; DEBUG is what Dagster's default console
    logger prints at when no logger is configured (`default_system_loggers`)."""
    if job_loggers.get("console") is not pod_console_logger():
        return {}
    return {"loggers": {"console": {"config": {"log_level": "DEBUG"}}}}
