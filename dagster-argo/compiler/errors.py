"""Error types that map to the CLI's exit codes (2: unsupported input or usage, 1: invalid output)."""


class UnsupportedInputError(Exception):
    """The Dagster project or the settings are outside what the compiler supports (exit code 2)."""


class InvalidManifestError(Exception):
    """A manifest failed validation; carries every problem so one run reports them all (exit code 1)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class SettingsError(UnsupportedInputError):
    """Every problem of `[tool.compiler]` found in one read (exit code 2), one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems
