"""What the cadence backfill replays share: build the project, write `compiler backfill`'s Workflow for a schedule
over a range, and replay it with run-local against the built WorkflowTemplates."""

from dataclasses import dataclass
from pathlib import Path

from tests.compiler.support import REPO, compiler_process


@dataclass(frozen=True)
class BackfillReplay:
    """`backfill`'s stderr (its warnings) and run-local's whole output (the ▶/✔ lines of every node)."""

    warnings: str
    output: str


def replay_backfill(
    tmp_path: Path,
    env: dict[str, str],
    module: str,
    settings: Path,
    schedule: str,
    window: tuple[str, str],
    parallelism: int,
    max_parallel: int,
) -> BackfillReplay:
    """Build `module` into tmp_path/out, write the backfill of `schedule` over `window` (start, end), replay it."""
    out = tmp_path / "out"
    built = compiler_process(["build", "--module", module, "--settings", str(settings), "--out", str(out)], REPO, env)
    assert built.returncode == 0, built.stderr
    workflow = tmp_path / "backfill.yaml"
    written = compiler_process(
        ["backfill", "--module", module, "--settings", str(settings), "--schedule", schedule,
         "--start", window[0], "--end", window[1], "--parallelism", str(parallelism), "--out", str(workflow)],
        REPO, env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    replay = compiler_process(
        ["run-local", str(workflow), "--templates", str(out), "--max-parallel", str(max_parallel),
         "--backoff-scale", "0"],
        REPO, env, timeout=1200,
    )  # fmt: skip
    output = replay.stdout + replay.stderr
    assert replay.returncode == 0, output[-3000:]
    return BackfillReplay(written.stderr, output)
