"""Run the local SYNTHETIC OpenAQ server in the foreground: python -m devservices.openaq_server --port 0."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import threading
from types import FrameType

from devservices.openaq_server.serve import serve_openaq
from devservices.openaq_server.synthetic import cities_for


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m devservices.openaq_server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--api-key", default=None, help="accepted key (default: $OPENAQ_API_KEY, else a generated throwaway key)"
    )
    parser.add_argument("--rate-limit", type=int, default=60, help="requests per window (default 60)")
    parser.add_argument("--rate-window", type=float, default=60.0, help="window length in seconds (default 60)")
    parser.add_argument(
        "--city", default=None, help="serve this one city (with --latitude ...); default: every city of assets/city.py"
    )
    parser.add_argument("--latitude", type=float, default=48.2082)
    parser.add_argument("--longitude", type=float, default=16.3738)
    parser.add_argument("--timezone", default="Europe/Vienna")
    parser.add_argument(
        "--dirty", action="store_true", help="also serve a few nulls, -999 sentinels, duplicates, out-of-window rows"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    given_key = args.api_key or os.environ.get("OPENAQ_API_KEY")
    api_key = given_key or f"dev-{secrets.token_hex(8)}"
    if args.city is None:
        from assets.city import CITIES  # the project's cities: the server serves what the pipeline will ask for

        places = [(c.name, c.latitude, c.longitude, c.timezone) for c in CITIES]
    else:
        places = [(args.city, args.latitude, args.longitude, args.timezone)]
    cities = cities_for(places, dirty=args.dirty)
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with serve_openaq(
        cities=cities,
        api_key=api_key,
        rate_limit=args.rate_limit,
        rate_window_s=args.rate_window,
        host=args.host,
        port=args.port,
    ) as server:
        print(f"export OPENAQ_BASE_URL={server.base_url}", flush=True)
        if given_key is None:
            # A generated key is a throwaway for this local process only, so printing it is harmless.
            print(f"export OPENAQ_API_KEY={api_key}  # generated throwaway key for this local server", flush=True)
        else:
            print("# OPENAQ_API_KEY: the key you gave (not printed)", flush=True)
        print("# SYNTHETIC data, not real measurements. Ctrl-C to stop.", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
