"""Run `python -m compiler.materialize` before (or without) the compiler CLI wiring."""

import sys

from compiler.materialize.command import main

sys.exit(main())
