"""Entry point for `python -m compiler`."""

import sys

if sys.argv[1:2] == ["materialize"]:  # a step pod: a SIGTERM from now on ends it one way (termination.py)
    from compiler.materialize.termination import exit_promptly_on_sigterm, run_terminable

    exit_promptly_on_sigterm()
    from compiler.cli import main
    from compiler.process_exit import end_process

    end_process(run_terminable(main))
else:
    from compiler.cli import main
    from compiler.process_exit import end_process

    end_process(main())
