"""`make audit`'s verdict: findings and unaudited dependencies fail; a wholly unreachable service only warns."""

from tools.audit_verdict import verdict

CLEAN = {"name": "pandas", "version": "3.1.1", "vulns": []}
VULNERABLE = {"name": "requests", "version": "2.0.0", "vulns": [{"id": "PYSEC-1"}, {"id": "GHSA-x"}]}
SKIPPED = {"name": "dagster", "skip_reason": "Dependency not found on PyPI and could not be audited"}


def test_a_known_vulnerability_fails_and_is_named() -> None:
    code, lines = verdict({"dependencies": [CLEAN, VULNERABLE]})
    assert code == 1
    assert lines == ["audit: VULNERABLE requests 2.0.0: PYSEC-1, GHSA-x"]


def test_some_dependencies_not_audited_fails() -> None:
    code, lines = verdict({"dependencies": [CLEAN, SKIPPED]})
    assert code == 1
    assert lines == [f"audit: NOT AUDITED dagster: {SKIPPED['skip_reason']}"]


def test_nothing_audited_at_all_warns_and_passes() -> None:
    code, lines = verdict({"dependencies": [SKIPPED, {**SKIPPED, "name": "pyarrow"}]})
    assert code == 0
    assert len(lines) == 1
    assert lines[0].startswith("audit: WARNING nothing was audited")
    assert "2 locked dependencies" in lines[0]


def test_all_clean_passes() -> None:
    assert verdict({"dependencies": [CLEAN]}) == (0, [])
