"""Optional cross-check of the robfig port (compiler/validate/robfig.py) with Argo's own cron library: robfig/cron
v3.0.1's Go source (Debian's golang-github-robfig-cron-dev, in GOPATH mode) built with `go` into a small program
(robfig_ticks.go). Skipped, saying why, when Go or that source is missing (.ci/install-tools installs both as root).

Compared: the ticks around every 2026 offset change of the zones the DST mapping is accepted on, for each half hour
(quarter hour in Australia/Lord_Howe) in every entry form tick_cover.py emits."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compiler.validate.robfig import argo_schedules, argo_ticks
from compiler.validate.ticks import offset_changes, span

GOPATH = Path("/usr/share/gocode")  # where Debian's golang-*-dev packages put Go source
ROBFIG = GOPATH / "src" / "github.com" / "robfig" / "cron"
ZONES = {
    "Europe/Vienna": 30,
    "America/New_York": 30,
    "Europe/London": 30,
    "America/Santiago": 30,
    "Asia/Beirut": 30,
    "Australia/Lord_Howe": 15,
    "Pacific/Chatham": 15,
}
AROUND = 50 * 3600


@pytest.fixture(scope="module")
def go_ticks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    go = shutil.which("go")
    if go is None or not ROBFIG.is_dir():
        pytest.skip("no `go` on PATH or no robfig/cron source under /usr/share/gocode (Debian: golang-go, "
                    "golang-github-robfig-cron-dev)")  # fmt: skip
    directory = tmp_path_factory.mktemp("go")
    binary = directory / "robfig_ticks"
    env = {**os.environ, "GO111MODULE": "off", "GOPATH": str(GOPATH), "GOCACHE": str(directory / "cache")}
    source = Path(__file__).with_name("robfig_ticks.go")
    subprocess.run([go, "build", "-o", str(binary), str(source)], env=env, check=True, timeout=600)
    return binary


def _cases() -> list[tuple[str, tuple[str, ...], int, int]]:
    cases: list[tuple[str, tuple[str, ...], int, int]] = []
    for timezone, step in ZONES.items():
        changes = offset_changes(timezone, *span((2026, 2026)))
        for minute_of_day in range(0, 24 * 60, step):
            hour, minute = divmod(minute_of_day, 60)
            entries = (f"{minute} {hour} * * *", f"{minute} {hour} * 3,4,9,10 0", f"{minute} * * 3,4,9,10 0")
            cases += [(timezone, entries, change - AROUND, change + AROUND) for change in changes]
    return cases


def test_the_port_fires_exactly_where_robfigs_go_code_does(go_ticks: Path) -> None:
    cases = _cases()
    text = "".join(f"{zone}\t{'|'.join(entries)}\t{low}\t{high}\n" for zone, entries, low, high in cases)
    result = subprocess.run([str(go_ticks)], input=text, capture_output=True, text=True, check=True, timeout=600)
    lines = result.stdout.splitlines()
    assert len(lines) == len(cases)
    differing = []
    for (zone, entries, low, high), line in zip(cases, lines, strict=True):
        go = [int(word) for word in line.split()]
        port = argo_ticks(argo_schedules(entries, zone), low, high)
        assert go, f"{zone} {entries}: Go fired nothing"
        if go != port:
            differing.append(f"{zone} {entries} ({low}..{high}): Go {go}, port {port}")
    assert differing == []
