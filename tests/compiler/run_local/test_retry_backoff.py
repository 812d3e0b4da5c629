"""run-local waits between attempts as Argo's controller does (compiler/run_local/backoff.py): an outage the
cluster's backoff outlasts is outlasted by the replay too. Real processes, real waits (short durations)."""

import re
import time
from pathlib import Path

from compiler.run_local.backoff import Backoff, next_attempt, parse_backoff
from tests.compiler.run_local.test_run_local import run_local, step_template, task, write_manifest
from tests.compiler.support import REPO

ALWAYS = {"retryPolicy": "Always", "expression": "asInt(lastRetry.exitCode) != 2 && asInt(lastRetry.exitCode) != 3"}


def starts(tmp_path: Path, name: str) -> list[float]:
    return [float(line) for line in (tmp_path / "record" / f"{name}.starts").read_text().splitlines()]


def test_an_outage_argo_would_outlast_is_outlasted_by_the_replay(tmp_path: Path) -> None:
    """Backoff 3 s, factor 2: attempts at 0, ~3 and ~9 s. An outage of 5 s from the first attempt fails the first
    two and the third succeeds, as on Argo; without the waits all three attempts fell inside the outage."""
    template = step_template(retryStrategy={"limit": "2", **ALWAYS, "backoff": {"duration": "3", "factor": "2"}})
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a"), task("b", "a")], template)
    result = run_local(tmp_path, manifest, behaviour={"a": {"fail_for": 5.0}})
    assert result.returncode == 0, result.stdout + result.stderr
    first, second, third = starts(tmp_path, "a")
    assert second - first >= 3.0  # duration
    assert third - second >= 6.0  # duration * factor
    assert "Argo's backoff (duration 3s, factor 2): waiting 3 s" in result.stdout
    assert "Argo's backoff (duration 3s, factor 2): waiting 6 s" in result.stdout
    assert "start b" in (tmp_path / "record" / "events.log").read_text()


def test_max_duration_ends_the_node_when_the_next_wait_would_pass_it(tmp_path: Path) -> None:
    """Argo: after the first attempt the next start (its end + 2 s) is within the first start + maxDuration 5 s;
    after the second it (its end + 8 s) is not, so the node fails with "Backoff would exceed max duration limit",
    without waiting."""
    backoff = {"duration": "2", "factor": "4", "maxDuration": "5"}
    manifest = write_manifest(
        tmp_path / "wf.yaml", [task("a")], step_template(retryStrategy={"limit": "5", **ALWAYS, "backoff": backoff})
    )
    started = time.monotonic()
    result = run_local(tmp_path, manifest, behaviour={"a": {"fail_until": time.time() + 3600}})
    assert result.returncode == 1
    assert len(starts(tmp_path, "a")) == 2
    assert "Backoff would exceed max duration limit" in result.stdout
    assert time.monotonic() - started < 30


def test_a_not_retried_exit_code_still_waits_the_backoff_first(tmp_path: Path) -> None:
    """Argo evaluates retryPolicy and expression only once the backoff has passed: exit 2 ends the node after it."""
    template = step_template(retryStrategy={"limit": "2", **ALWAYS, "backoff": {"duration": "2"}})
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")], template)
    started = time.monotonic()
    result = run_local(tmp_path, manifest, behaviour={"a": {"fail_until": time.time() + 3600, "exit_code": 2}})
    assert result.returncode == 1
    assert len(starts(tmp_path, "a")) == 1
    assert time.monotonic() - started >= 2.0
    # the wait says why it happens although no retry follows
    assert "waiting 2 s; then retryStrategy.expression decides whether to retry" in result.stdout
    assert "retryStrategy.expression says not to retry" in result.stdout


def test_backoff_scale_shortens_every_wait(tmp_path: Path) -> None:
    template = step_template(retryStrategy={"limit": "2", **ALWAYS, "backoff": {"duration": "60", "factor": "2"}})
    manifest = write_manifest(tmp_path / "wf.yaml", [task("a")], template)
    result = run_local(tmp_path, manifest, "--backoff-scale", "0.01", behaviour={"a": {"fail_times": 2}})
    assert result.returncode == 0, result.stdout + result.stderr
    first, second, third = starts(tmp_path, "a")
    assert 0.6 <= second - first < 30
    assert 1.2 <= third - second < 30
    assert "waiting 60 s, 0.6 s with --backoff-scale" in result.stdout
    assert "waiting 120 s, 1.2 s with --backoff-scale" in result.stdout


def test_waits_equal_argos_column_of_the_retry_delay_table() -> None:
    """The compiler README's retry-delay table states Argo's waits for each emitted backoff (duration, factor, cap):
    run-local's arithmetic must give the same numbers."""
    text = (REPO / "dagster-argo" / "compiler" / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- retry-delays:start -->")[1].split("<!-- retry-delays:end -->")[0]
    rows = [line.split("|")[1:-1] for line in block.strip().splitlines()[2:]]
    assert rows
    for _, _, argo_backoff, argo_waits in rows:
        fields = dict(re.findall(r"(duration|factor|cap) (\d+)", argo_backoff))
        backoff = parse_backoff(fields, "t")
        assert backoff is not None
        expected = [float(wait) for wait in argo_waits.split(",")]
        assert [backoff.wait_s(n) for n in range(1, len(expected) + 1)] == expected, argo_backoff


def test_max_duration_already_passed_fails_at_once() -> None:
    backoff = Backoff(duration_s=10, factor=2, max_duration_s=60)
    assert next_attempt(backoff, 1, first_started=0, last_finished=61, now=61).fail_message == (
        "Max duration limit exceeded"
    )
    assert next_attempt(backoff, 1, first_started=0, last_finished=5, now=5).wait_s == 10
    assert parse_backoff({"duration": "1m30s", "factor": 3, "cap": "2m"}, "t") == Backoff(90, 3, 120)
