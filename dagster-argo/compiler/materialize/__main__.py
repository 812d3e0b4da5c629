"""Run `python -m compiler.materialize` before (or without) the compiler CLI wiring."""

from compiler.materialize.command import main
from compiler.process_exit import end_process

end_process(main())
