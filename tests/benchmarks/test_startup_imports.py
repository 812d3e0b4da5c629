"""What each command imports before it works: the cuts behind the compile and pod start-up figures stay cut.

Each check runs a fresh interpreter, the way `build` and a pod start, and asks `sys.modules` afterwards.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

PROJECTS = Path(__file__).resolve().parent.parent / "compiler" / "materialize" / "projects"


def _modules_after(code: str, env: dict[str, str] | None = None) -> dict[str, bool]:
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    loaded: dict[str, bool] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


REPORT = "import json, sys; print(json.dumps({m: m in sys.modules for m in ('dagster', 'hera', 'jinja2')}))"


def test_the_cli_imports_no_dagster_so_build_forks_its_structure_child_first() -> None:
    """`build` starts the hera child before Dagster loads; importing the CLI must not load Dagster behind its back."""
    loaded = _modules_after("import compiler.cli\n" + REPORT)
    assert loaded == {"dagster": False, "hera": False, "jinja2": False}


def test_a_pod_runs_without_the_compilers_build_machinery(tmp_path: Path) -> None:
    """A pod materializes one asset: Dagster yes, but not the templates (jinja2) nor hera's Argo models."""
    code = (
        "import compiler.cli\n"
        "code = compiler.cli.main(['materialize', '--module', 'pod_fixture_project', '--asset', 'fixture/raw',"
        " '--partition', '2026-11-27'])\n"
        "assert code == 0, code\n" + REPORT
    )
    env = {
        "PYTHONPATH": os.pathsep.join([str(PROJECTS), os.environ.get("PYTHONPATH", "")]),
        "FIXTURE_MARKER_DIR": str(tmp_path / "markers"),
        "FIXTURE_IO_DIR": str(tmp_path / "io"),
    }
    loaded = _modules_after(code, env)
    assert loaded == {"dagster": True, "hera": False, "jinja2": False}
    assert (tmp_path / "markers" / "raw-2026-11-27").is_file()


def test_a_pod_imports_no_other_commands_modules(tmp_path: Path) -> None:
    """`python -m compiler materialize` imports the materialize command only: not build, validate, run-local or
    backfill, whose modules the full CLI would load (compiler/cli.py imports a command's module when it runs)."""
    others = ("compiler.build_command", "compiler.validate_command", "compiler.run_local", "compiler.backfill_command")
    code = (
        "import sys\n"
        "sys.argv = ['compiler', 'materialize', '--module', 'pod_fixture_project', '--asset', 'fixture/raw',"
        " '--partition', '2026-11-27']\n"
        "import compiler.cli\n"
        "code = compiler.cli.main()\n"
        "assert code == 0, code\n"
        f"import json; print(json.dumps({{m: m in sys.modules for m in {others!r} + ('compiler.materialize',)}}))"
    )
    env = {
        "PYTHONPATH": os.pathsep.join([str(PROJECTS), os.environ.get("PYTHONPATH", "")]),
        "FIXTURE_MARKER_DIR": str(tmp_path / "markers"),
        "FIXTURE_IO_DIR": str(tmp_path / "io"),
    }
    loaded = _modules_after(code, env)
    assert loaded == {**dict.fromkeys(others, False), "compiler.materialize": True}
    # the full CLI (no command named, e.g. --help) still lists every command
    from compiler.cli import SUBCOMMANDS, build_parser

    help_text = build_parser().format_help()
    assert all(name in help_text for name in SUBCOMMANDS)


def test_run_local_replays_without_importing_dagster() -> None:
    """`run-local` only reads manifests and starts pods, which import Dagster themselves: Dagster in the replaying
    process was ~0.7 s on the critical path before the first pod of every replay (the fused run's figure)."""
    code = (
        "import importlib, pkgutil, compiler.run_local as package\n"
        "for module in pkgutil.iter_modules(package.__path__):\n"
        "    if module.name != '__main__':\n"
        "        importlib.import_module(f'compiler.run_local.{module.name}')\n"
        "import compiler.cli\n"
        "assert compiler.cli.main(['run-local', 'no-such-workflowtemplate.yaml']) == 2\n" + REPORT
    )
    assert _modules_after(code)["dagster"] is False


def test_the_version_is_looked_up_only_when_asked() -> None:
    """`--version` reads the installed distribution's metadata; every other command (each pod, each run-local) skips
    importlib.metadata and the lookup (~30 ms of CPU) that building the parser used to do."""
    code = (
        "import sys, compiler.cli\n"
        "assert compiler.cli.main(['run-local', 'no-such-workflowtemplate.yaml']) == 2\n"
        "import json; print(json.dumps({'importlib.metadata': 'importlib.metadata' in sys.modules}))"
    )
    assert _modules_after(code) == {"importlib.metadata": False}
    from importlib.metadata import version

    shown = subprocess.run(
        [sys.executable, "-m", "compiler", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"python -m compiler (dagster-argo) {version('dagster-argo')}"


def test_a_replay_leaves_the_tick_listing_unimported() -> None:
    """run-local imports its cron machinery (ticks.py, robfig) only to list ticks (--from/--to), which a replay
    never does."""
    code = (
        "import sys, compiler.cli\n"
        "assert compiler.cli.main(['run-local', 'no-such-workflowtemplate.yaml']) == 2\n"
        "import json; print(json.dumps({m: m in sys.modules for m in "
        "('compiler.run_local.ticks', 'compiler.validate.robfig', 'compiler.run_local.command')}))"
    )
    assert _modules_after(code) == {
        "compiler.run_local.ticks": False,
        "compiler.validate.robfig": False,
        "compiler.run_local.command": True,
    }
