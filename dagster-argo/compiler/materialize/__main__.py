"""Run `python -m compiler.materialize` before (or without) the compiler CLI wiring."""

import sys

from compiler.materialize.collection import pause_for_start_up
from compiler.materialize.termination import describe_from_argv, run_terminable
from compiler.process_exit import end_process


def _command() -> int:
    from compiler.materialize.command import main

    return main()


describe_from_argv(sys.argv[1:])
pause_for_start_up()  # the imports are start-up too (compiler/materialize/collection.py)
end_process(run_terminable(_command))  # arms the watchdog first (termination.py), then imports and runs the command
