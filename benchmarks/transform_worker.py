"""One transform variant on one input file in this fresh process: prints its time and peak memory as JSON.

Peak memory is `ru_maxrss` after the variant minus `ru_maxrss` once the input bytes are loaded, so imports and the
input itself are not charged to any variant.
"""

import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.transform_variants import VARIANTS


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def main(variant: str, path: str) -> None:
    run = VARIANTS[variant]
    data = Path(path).read_bytes()
    before = _maxrss_bytes()
    started = time.perf_counter()
    rows, parquet = run(data)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_bytes": _maxrss_bytes() - before, "rows": rows, "bytes": len(parquet)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
