"""Entry point for `python -m compiler`."""

from compiler.cli import main
from compiler.process_exit import end_process

end_process(main())
