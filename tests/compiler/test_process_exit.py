"""`python -m compiler ...` ends without the interpreter's final full collection, and otherwise exits as Python does:
the exit code, atexit handlers, temporary directories' finalizers and buffered output all survive."""

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import atexit, gc, sys, tempfile
from pathlib import Path
from compiler.process_exit import end_process

out = Path(sys.argv[1])
scratch = tempfile.TemporaryDirectory()  # removed by its weakref finalizer at exit, like a step's spool folder
(out / "scratch").write_text(scratch.name)
atexit.register(lambda: (out / "atexit").write_text(str(gc.get_freeze_count())))
print("buffered, not flushed", end="")
end_process(3)
"""


def test_end_process_keeps_pythons_exit_but_skips_the_final_collection(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, done.stderr
    assert done.stdout == "buffered, not flushed"
    assert not Path((tmp_path / "scratch").read_text()).exists()  # the finalizer ran
    frozen = int((tmp_path / "atexit").read_text())  # the atexit handler ran, with the heap frozen
    assert frozen > 1000


def test_the_pod_command_exits_with_its_code(tmp_path: Path) -> None:
    """A bad usage still exits 2 through `python -m compiler materialize` and `python -m compiler.materialize`."""
    for entry in (["-m", "compiler", "materialize"], ["-m", "compiler.materialize"]):
        done = subprocess.run(
            [sys.executable, *entry, "--module", "no_such_module_here", "--asset", "a/b"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stdout.strip().splitlines()[-1].startswith("materialize: bad usage: cannot import module")
