"""`make audit`'s verdict on a pip-audit JSON report of the locked set: it passes only when every locked dependency
was audited and none has a known vulnerability.

Exit codes: 0 every locked dependency audited, none vulnerable; 1 a known vulnerability; 2 could not audit (some or
all dependencies unknown to the vulnerability service, e.g. it cannot be reached, or the report misses part of
the lock). "Could not audit" is a failure, never a pass: a green audit must mean something was checked.
"""

import json
import re
import sys
from pathlib import Path
from typing import Any

VULNERABLE, NOT_AUDITED = 1, 2
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")


def canonical(name: str) -> str:
    """PEP 503 normalised name, as pip-audit reports it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_names(lock_text: str) -> set[str]:
    """Names pinned with == in a requirements/constraints file."""
    return {canonical(match.group(1)) for line in lock_text.splitlines() if (match := _PIN.match(line))}


def verdict(report: dict[str, Any], locked: set[str] | None = None) -> tuple[int, list[str]]:
    """Exit code and the lines to print for one report (and, when given, the set of locked names it must cover)."""
    dependencies = report.get("dependencies") or []
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    reported = {canonical(d["name"]) for d in dependencies}
    missing = sorted(locked - reported) if locked is not None else []
    audited = len(dependencies) - len(skipped)
    lines = [
        f"audit: VULNERABLE {d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}" for d in vulnerable
    ]
    if not dependencies or audited == 0:
        total = len(locked) if locked is not None else len(dependencies)
        lines.append(
            f"audit: FAILED could not audit: 0 of {total} locked dependencies were checked (the vulnerability "
            "service knew none of them: it is unreachable from here, or the report is empty); run make audit "
            "where the service is reachable"
        )
    else:
        lines += [f"audit: NOT AUDITED {d['name']}: {d['skip_reason']}" for d in skipped]
    lines += [f"audit: NOT AUDITED {name}: locked but missing from the report" for name in missing]
    if vulnerable:
        return VULNERABLE, lines
    if skipped or missing or audited == 0:
        return NOT_AUDITED, lines
    return 0, [f"audit: no known vulnerabilities in {audited} audited dependencies"]


def main(argv: list[str]) -> int:
    """`python -m tools.audit_verdict REPORT.json [requirements.lock]`."""
    report = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    locked = locked_names(Path(argv[2]).read_text(encoding="utf-8")) if len(argv) > 2 else None
    code, lines = verdict(report, locked)
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
