"""One transform variant on one input file in this fresh process: prints the variant's own time as JSON.

Peak memory is not measured here: `benchmarks.measure.launch` reads this whole process's peak (imports, the input
bytes and the variant's work) from outside, via `benchmarks/launcher.py`.
"""

import json
import sys
import time
from pathlib import Path

from benchmarks.transform_variants import VARIANTS


def main(variant: str, path: str) -> None:
    run = VARIANTS[variant]
    data = Path(path).read_bytes()
    started = time.perf_counter()
    rows, parquet = run(data)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "bytes": len(parquet), "input_bytes": len(data)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
