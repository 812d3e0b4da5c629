"""The build pipeline: load → model → plan → render → validate → write (see README.md beside this file)."""
