"""Run `python -m compiler.materialize` before (or without) the compiler CLI wiring."""

from compiler.materialize.termination import exit_promptly_on_sigterm, run_terminable

exit_promptly_on_sigterm()  # first: a SIGTERM from now on ends the step one way (termination.py)

from compiler.materialize.command import main  # noqa: E402 - after arming, on purpose
from compiler.process_exit import end_process  # noqa: E402

end_process(run_terminable(main))
