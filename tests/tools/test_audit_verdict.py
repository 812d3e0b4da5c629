"""`make audit`'s verdict: a finding fails (1); anything not audited fails (2), including a service that answered
for none of the locked set; only a full, clean audit passes."""

import json
import subprocess
import sys
from pathlib import Path

from tools.audit_verdict import NOT_AUDITED, VULNERABLE, locked_names, verdict

CLEAN = {"name": "pandas", "version": "3.1.1", "vulns": []}
VULNERABLE_DEP = {"name": "requests", "version": "2.0.0", "vulns": [{"id": "PYSEC-1"}, {"id": "GHSA-x"}]}
SKIPPED = {"name": "dagster", "skip_reason": "Dependency not found on PyPI and could not be audited"}
REPO = Path(__file__).resolve().parents[2]


def test_a_known_vulnerability_fails_and_is_named() -> None:
    code, lines = verdict({"dependencies": [CLEAN, VULNERABLE_DEP]})
    assert code == VULNERABLE
    assert lines == ["audit: VULNERABLE requests 2.0.0: PYSEC-1, GHSA-x"]


def test_some_dependencies_not_audited_fails() -> None:
    code, lines = verdict({"dependencies": [CLEAN, SKIPPED]})
    assert code == NOT_AUDITED
    assert lines == [f"audit: NOT AUDITED dagster: {SKIPPED['skip_reason']}"]


def test_nothing_audited_at_all_fails_and_says_so() -> None:
    code, lines = verdict({"dependencies": [SKIPPED, {**SKIPPED, "name": "pyarrow"}]})
    assert code == NOT_AUDITED
    assert len(lines) == 1
    assert lines[0].startswith("audit: FAILED could not audit: 0 of 2 locked dependencies were checked")


def test_an_empty_report_fails() -> None:
    code, lines = verdict({"dependencies": []}, locked={"pandas"})
    assert code == NOT_AUDITED
    assert "0 of 1 locked dependencies" in lines[0]


def test_a_report_missing_part_of_the_lock_fails_naming_it() -> None:
    code, lines = verdict({"dependencies": [CLEAN]}, locked={"pandas", "pyarrow"})
    assert code == NOT_AUDITED
    assert lines == ["audit: NOT AUDITED pyarrow: locked but missing from the report"]


def test_all_clean_and_complete_passes() -> None:
    assert verdict({"dependencies": [CLEAN]}, locked={"pandas"}) == (
        0,
        ["audit: no known vulnerabilities in 1 audited dependencies"],
    )


def test_locked_names_are_read_normalised_from_the_real_lock() -> None:
    names = locked_names((REPO / "requirements.lock").read_text(encoding="utf-8"))
    assert {"dagster", "pandas", "minio", "requests"} <= names
    assert "argon2-cffi" in names  # PEP 503 form, as pip-audit reports names
    assert locked_names("Foo_Bar==1.0\n# comment\nbaz == 2 ; python_version > '3'\n-c other.txt\n") == {
        "foo-bar",
        "baz",
    }


def test_the_command_exits_with_the_verdict(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"dependencies": [SKIPPED]}), encoding="utf-8")
    lock = tmp_path / "lock.txt"
    lock.write_text("dagster==1.13.0\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tools.audit_verdict", str(report), str(lock)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == NOT_AUDITED
    assert "could not audit" in result.stdout
