"""Where the fidelity projects note which asset bodies ran: one line per run, in FIDELITY_RECORD_DIR/runs.log."""

import os
from pathlib import Path


def runs_dir() -> Path:
    return Path(os.environ["FIDELITY_RECORD_DIR"])


def record_run(name: str) -> None:
    directory = runs_dir()
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "runs.log").open("a", encoding="utf-8") as handle:
        handle.write(name + "\n")


def runs(directory: Path) -> list[str]:
    log = directory / "runs.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []
