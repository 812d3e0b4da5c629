"""Run the embedded S3 store in the foreground and print the MINIO_* exports (`make dev`, `make demo`).

Usage: python -m devservices.s3 [--data-dir DIR] [--bucket NAME]
"""

import argparse
import shlex
import signal
import sys
import tempfile
from contextlib import suppress
from pathlib import Path
from types import FrameType

from devservices.s3.seaweed import running_seaweed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devservices.s3", description=__doc__)
    parser.add_argument("--data-dir", type=Path, help="where SeaweedFS keeps its data (default: a temp dir)")
    parser.add_argument("--bucket", default="air-quality", help="value printed for MINIO_BUCKET")
    args = parser.parse_args(argv)

    def stop(signum: int, frame: FrameType | None) -> None:
        # Once: a second signal must not cut short the cleanup that stops `weed` and removes the temp dir.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # A stop may arrive at any point, even before the exports are all printed: it always ends in a clean exit 0.
    with suppress(KeyboardInterrupt), tempfile.TemporaryDirectory(prefix="seaweed-") as scratch:
        data_dir = args.data_dir or Path(scratch)
        with running_seaweed(data_dir) as server:
            # Throwaway credentials of a local dev store: printing them is how a shell picks them up.
            for name, value in server.env(args.bucket).items():
                print(f"export {name}={shlex.quote(value)}", flush=True)
            print(f"# SeaweedFS S3 at {server.endpoint}, data in {data_dir}. Ctrl-C stops it.", file=sys.stderr)
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
