"""Run one command as a fresh child of this tiny process and write its wall time and peak memory as JSON.

Why a launcher: Linux keeps a process's peak RSS (`ru_maxrss`) across fork and exec, so a child started by a
parent that once held a large input reports at least that parent's footprint. This script imports only the
standard library (run it with `python -I -S`), starts the child with `posix_spawn` (no copy of even this small
address space) and reads the child's own peak from `os.wait4`: the figure covers the child's imports, its input
and its work, and nothing of the benchmark process that asked for it.

Usage: python -I -S launcher.py RESULT_JSON_PATH -- ARGV...
"""

import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    result_path, separator, *command = argv
    if separator != "--" or not command:
        print("usage: launcher.py RESULT_JSON_PATH -- ARGV...", file=sys.stderr)
        return 2
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    result = {
        "seconds": seconds,
        "peak_bytes": usage.ru_maxrss * 1024,  # kilobytes on Linux
        "cpu_seconds": usage.ru_utime + usage.ru_stime,  # the child and the children it waited for
        "returncode": os.waitstatus_to_exitcode(status),
    }
    with open(result_path, "w", encoding="utf-8") as sink:
        json.dump(result, sink)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
