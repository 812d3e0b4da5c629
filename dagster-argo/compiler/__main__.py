"""Entry point for `python -m compiler`."""

import sys

from compiler.process_exit import end_process


def _cli() -> int:
    from compiler.cli import main

    return main()


if sys.argv[1:2] == ["materialize"]:  # a step pod: a SIGTERM from now on ends it one way (termination.py)
    from compiler.materialize.collection import pause_for_start_up
    from compiler.materialize.termination import describe_from_argv, run_terminable

    describe_from_argv(sys.argv[2:])
    pause_for_start_up()  # importing Dagster is start-up too (compiler/materialize/collection.py)
    end_process(run_terminable(_cli))  # arms the watchdog first, then imports and runs the command
else:
    end_process(_cli())
