"""`make audit`'s verdict on a pip-audit JSON report: any known vulnerability fails, any unaudited dependency fails.

One exception: when *no* dependency could be audited, the vulnerability service was out of reach (offline);
that passes with a loud warning, since there is no result at all rather than a bad one.
"""

import json
import sys
from pathlib import Path
from typing import Any


def verdict(report: dict[str, Any]) -> tuple[int, list[str]]:
    """Exit code and the lines to print for one report."""
    dependencies = report["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if "skip_reason" in d]
    offline = bool(dependencies) and len(skipped) == len(dependencies)
    lines = [
        f"audit: VULNERABLE {d['name']} {d['version']}: {', '.join(v['id'] for v in d['vulns'])}" for d in vulnerable
    ]
    if offline:
        lines.append(
            f"audit: WARNING nothing was audited: the vulnerability service knew none of the {len(dependencies)} "
            "locked dependencies (it is unreachable from here); run make audit where it is reachable"
        )
    else:
        lines += [f"audit: NOT AUDITED {d['name']}: {d['skip_reason']}" for d in skipped]
    failed = bool(vulnerable) or (bool(skipped) and not offline)
    return (1 if failed else 0), lines


def main(argv: list[str]) -> int:
    code, lines = verdict(json.loads(Path(argv[1]).read_text(encoding="utf-8")))
    print("\n".join(lines) if lines else "audit: no known vulnerabilities")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv))
