"""The one error type run-local turns into exit code 2 (bad manifest or usage), before anything runs."""


class RunLocalError(Exception):
    """A manifest or argument run-local cannot execute; the message says what and where."""
