"""Every fault test must leave no process behind (see tests.faults.processes.no_process_left_behind)."""

from tests.faults.processes import no_process_left_behind

__all__ = ["no_process_left_behind"]
