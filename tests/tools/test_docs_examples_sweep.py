"""tools/docs_examples_sweep.py builds each example in a real `python -m compiler build` process and sorts the
outcome: compiled, refused (exit 2, grouped by reason), skipped (an optional package the example imports is missing)
or crash. The examples here are small code locations written for this test, not Dagster's own files."""

import subprocess
import sys
import textwrap
from pathlib import Path

from tools.docs_examples_sweep import classify, reason_key

REPO = Path(__file__).resolve().parents[2]

EXAMPLES = {
    "compiles": """
        import dagster as dg

        @dg.asset
        def numbers() -> list[int]:
            return [1, 2, 3]

        defs = dg.Definitions(assets=[numbers])
    """,
    "refused": """
        import dagster as dg

        @dg.asset(automation_condition=dg.AutomationCondition.eager())
        def eager_asset() -> None: ...

        defs = dg.Definitions(assets=[eager_asset])
    """,
    "needs_package": """
        import no_such_optional_integration  # an integration this environment lacks
        import dagster as dg

        defs = dg.Definitions()
    """,
}


def test_each_outcome_is_classified_from_a_real_build(tmp_path: Path) -> None:
    for name, source in EXAMPLES.items():
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    (tmp_path / "_helper.py").write_text("VALUE = 1\n", encoding="utf-8")  # not a code location: not built
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "docs_examples_sweep.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr  # no crash, no timeout
    rows = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()[:3]}
    assert rows == {"compiles": "compiled", "needs_package": "skipped", "refused": "refused"}
    assert "total 3: compiled 1, refused 1, skipped 1, crash 0, timeout 0" in done.stdout
    assert "asset: AutomationCondition.eager() on an asset" in done.stdout  # the refusal, grouped by its first words


def test_a_traceback_or_another_exit_code_is_a_crash(tmp_path: Path) -> None:
    traceback = "Traceback (most recent call last):\n  ...\nKeyError: 'x'\n"
    assert classify("m", tmp_path, 1, traceback).kind == "crash"
    assert classify("m", tmp_path, 2, traceback).kind == "crash"  # exit 2 with a traceback is still a bug
    assert classify("m", tmp_path, 2, "error: asset a: not supported\n").kind == "refused"


def test_a_missing_example_module_is_not_a_missing_package(tmp_path: Path) -> None:
    (tmp_path / "sibling.py").write_text("", encoding="utf-8")
    stderr = "error: project: No module named 'sibling.sub'\n"
    assert classify("m", tmp_path, 2, stderr).kind == "refused"


def test_refusals_of_different_objects_share_one_reason() -> None:
    first = "error: asset c: loads asset a through IO manager 'io_manager' (Dagster's default)"
    second = "error: asset yesterday: loads asset events through IO manager 'io_manager' (Dagster's default)"
    assert reason_key(first) == reason_key(second) == "asset: loads asset … through IO manager … (Dagster's"
