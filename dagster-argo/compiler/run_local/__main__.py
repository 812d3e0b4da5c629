"""Run `python -m compiler.run_local` before (or without) the compiler CLI wiring."""

import sys

from compiler.run_local.command import main

sys.exit(main())
