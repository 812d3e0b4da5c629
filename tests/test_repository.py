"""The repository stands on its own: no tracked file names a path of the machine it was written on."""

import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Prefixes of home and work folders on developer machines; written split so this file does not match itself.
MACHINE_PREFIXES = ["/" + "work/", "/" + "home/", "/" + "Users/"]


def _tracked_text_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [REPO / name for name in listed.decode().split("\0") if name and (REPO / name).is_file()]


def test_no_absolute_machine_path_in_tracked_files() -> None:
    forbidden = list(MACHINE_PREFIXES)
    if len(REPO.parent.parts) > 2:  # this checkout's own location, unless it is as short as /tmp
        forbidden.append(str(REPO.parent) + "/")
    found = []
    for path in _tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        found += [f"{path.relative_to(REPO)}: {prefix}" for prefix in forbidden if prefix in text]
    assert found == []
