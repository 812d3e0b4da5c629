"""A stand-in pod step for run-local tests: records its argv and env, and behaves as STEP_BEHAVIOUR says."""

import json
import os
import sys
import time
from pathlib import Path

WAIT_LIMIT_SECONDS = 60  # a deadlock guard, not a timing assertion


def main() -> int:
    name = sys.argv[1]
    record = Path(os.environ["STEP_RECORD_DIR"])
    record.mkdir(parents=True, exist_ok=True)
    behaviour = json.loads(os.environ.get("STEP_BEHAVIOUR", "{}")).get(name, {})
    events = record / "events.log"

    def log(message: str) -> None:
        with events.open("a", encoding="utf-8") as handle:
            handle.write(message + "\n")

    counter = record / f"{name}.attempts"
    attempt = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(attempt))
    with (record / f"{name}.starts").open("a", encoding="utf-8") as handle:  # wall-clock start of each attempt
        handle.write(f"{time.time()}\n")
    log(f"start {name}")
    step_env = {key: value for key, value in os.environ.items() if key.startswith("STEP_") and key != "STEP_BEHAVIOUR"}
    seen = json.dumps({"argv": sys.argv[1:], "env": step_env, "names": sorted(os.environ)})
    (record / f"{name}.json").write_text(seen)
    with (record / f"{name}.attempts.jsonl").open("a", encoding="utf-8") as handle:  # every attempt's, in order
        handle.write(seen + "\n")
    other = behaviour.get("wait_for")
    if other:
        deadline = time.monotonic() + WAIT_LIMIT_SECONDS
        while f"start {other}\n" not in events.read_text(encoding="utf-8"):
            if time.monotonic() > deadline:
                print(f"{name}: {other} never started while {name} was running")
                return 3
            time.sleep(0.05)
    if behaviour.get("print_secret"):
        print(f"the secret is {os.environ.get('STEP_SECRET')}")
    for line in range(1, behaviour.get("fail_lines", 0) + 1):
        print(f"line {line}")
    log(f"end {name}")
    first_start = float((record / f"{name}.starts").read_text().split()[0])
    outage_ends = behaviour.get("fail_until", first_start + behaviour.get("fail_for", 0))
    if time.time() < outage_ends:  # an outage of what the step needs, until then (or for so long after attempt 1)
        print(f"{name}: the store is unavailable (attempt {attempt})")
        return int(behaviour.get("exit_code", 1))
    if attempt <= behaviour.get("fail_times", 0) or behaviour.get("fail_lines"):
        print(f"{name}: failing attempt {attempt} on purpose")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
