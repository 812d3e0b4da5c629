"""Peak memory of the raw and clean pods on a large day, each pod a fresh process measured from outside.

`python -m benchmarks.stream_memory --rows 1000000` (and `make bench`, section `memory`) starts embedded SeaweedFS and
a fast OpenAQ-compatible server (`serve`: the local server's SYNTHETIC stations and row shapes, each distinct page
rendered once, in its own process, no rate limit; the local server computes every row per request and would take
most of an hour for 42,000 sensors), then runs each step's pod command, `python -m compiler materialize`, in its own
process:

- `openaq/raw_measurements` for one partition, fetched over HTTP from the local server and stored;
- `openaq/clean_measurements` for another partition whose raw document is `benchmarks.synthetic_raw`'s day of exactly
  `--rows` rows, put in the store first.

Each pod's process is the child of a tiny launcher (`python -I -S`, nothing imported) that reads the child's own
`ru_maxrss` with `os.wait4`: a process measuring itself would report a peak inherited from whatever exec'd it. So the
figure includes the imports (Dagster, pandas) and the input, as in a pod. The memory request and limit each step gets
are read from the compiled WorkflowTemplate (argo_out/, kept current by `build --check`) and compared with the peaks.
"""

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.measure import PROJECT_ROOT, PYTHON, STAND_IN_REQUESTS_PER_MINUTE
from benchmarks.synthetic_raw import cached_raw_file

if TYPE_CHECKING:
    from benchmarks.report import Row

RAW_PARTITION = "vienna|2026-11-26"  # date × city keys of the flagship (Dagster's MultiPartitionKey form)
CLEAN_PARTITION = "vienna|2026-11-27"  # the day benchmarks.synthetic_raw makes
CLEAN_OBJECT = "dagster/openaq/raw_measurements/city=vienna/date=2026-11-27.json"  # the IO manager's key for it
RAW_TARGET_MIB, CLEAN_TARGET_MIB = 512, 1024
WORKFLOW_TEMPLATE = PROJECT_ROOT / "argo_out" / "air-quality.workflowtemplate.yaml"
_ROWS_READ = re.compile(r"\d+ clean rows from (\d+);")
HOURS_PER_DAY = 24
SENSORS_PER_EXTRA_LOCATION = 1.5  # SyntheticCity: even extra locations have two sensors, odd ones one

# The launcher: fork, exec the step, wait4 for its rusage. Runs with -I -S so it imports nothing of the project.
_LAUNCHER = """
import json, os, sys, time
out, argv = sys.argv[1], sys.argv[2:]
started = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
with open(out, "w") as handle:
    json.dump({"seconds": time.monotonic() - started, "peak_bytes": usage.ru_maxrss * 1024,
               "returncode": os.waitstatus_to_exitcode(status)}, handle)
"""


def measured(argv: list[str], env: dict[str, str]) -> tuple[dict[str, Any], str]:
    """(the launcher's figures for `argv`, what it printed); a failing step stops the benchmark with its output."""
    with tempfile.TemporaryDirectory(prefix="air-quality-stream-memory-") as scratch:
        out = Path(scratch) / "result.json"
        done = subprocess.run(
            [PYTHON, "-I", "-S", "-c", _LAUNCHER, str(out), *argv],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        )
        if not out.exists():
            raise RuntimeError(f"launcher failed ({done.returncode}):\n{done.stderr[-3000:]}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    if result["returncode"] != 0:
        raise RuntimeError(f"`{' '.join(argv)}` exited {result['returncode']}:\n{done.stderr[-4000:]}")
    return result, done.stdout


def _mib(quantity: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1.0, "Gi": 1024.0, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    for suffix, factor in sorted(units.items(), key=lambda item: -len(item[0])):
        if quantity.endswith(suffix):
            return float(quantity[: -len(suffix)]) * factor
    return float(quantity) / 2**20


def serve(extra_locations: int, port_file: str) -> None:
    """A fast stand-in for the local OpenAQ server: same stations and row shapes, each distinct page rendered once.

    Hour rows do not name their sensor, so one sensor's page serves every sensor of the same parameter and window.
    """
    import re
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    from assets.city import CITY
    from assets.openaq.window import parse_api_time
    from devservices.openaq_server.app import _envelope
    from devservices.openaq_server.synthetic import SyntheticCity

    city = SyntheticCity(
        name=CITY.name,
        latitude=CITY.latitude,
        longitude=CITY.longitude,
        timezone=CITY.timezone,
        extra_locations=extra_locations,
    )
    located = [city.location_json(loc, dist) for loc, dist in city.within(CITY.latitude, CITY.longitude, CITY.radius_m)]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    pages: dict[Any, bytes] = {}
    lock = threading.Lock()
    sensor_path = re.compile(r"^/v3/sensors/(\d+)/hours$")

    def render(path: str, query: dict[str, str]) -> bytes:
        limit, page = int(query.get("limit", 100)), int(query.get("page", 1))
        if path == "/v3/locations":
            return dumps(_envelope(page, limit, located[(page - 1) * limit : page * limit])).encode()
        sensor_id = int(sensor_path.match(path).group(1))  # type: ignore[union-attr]
        key = (city.sensor(sensor_id)[1].parameter.id, query["datetime_from"], query["datetime_to"], page, limit)  # type: ignore[index]
        with lock:
            if key not in pages:
                after, until = parse_api_time(query["datetime_from"]), parse_api_time(query["datetime_to"])
                rows = city.hour_rows(sensor_id, after, until, (page - 1) * limit, limit)
                pages[key] = dumps(_envelope(page, limit, rows)).encode()
            return pages[key]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            body = render(parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()})
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                # a budget the client's pacer can see: without one it sends a single probe request at a time
                "x-ratelimit-limit: 1000000\r\nx-ratelimit-remaining: 1000000\r\nx-ratelimit-reset: 60\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            self.wfile.write(head.encode() + body)  # one write: no Nagle/delayed-ACK stall between head and body

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Path(port_file).write_text(str(server.server_address[1]), encoding="utf-8")
    server.serve_forever()


@dataclass(frozen=True)
class PodMemory:
    """One step's pod on the large day: its peak and wall time in each fresh process, and what the manifest gives it."""

    asset: str
    rows: int
    peaks_mib: tuple[float, ...]
    seconds: tuple[float, ...]
    target_mib: int
    compiled: dict[str, float]  # "request" and "limit", MiB, from the compiled WorkflowTemplate


def pod_command(name: str, partition: str) -> list[str]:
    """Exactly what the step's Argo pod runs (the process a memory limit applies to)."""
    return [PYTHON, "-m", "compiler", "materialize", "--module", "assets", "--asset", f"openaq/{name}",
            "--partition", partition]  # fmt: skip


def compiled_memory_mib(asset: str, template: Path = WORKFLOW_TEMPLATE) -> dict[str, float]:
    """The memory request and limit the compiled WorkflowTemplate gives `asset`'s step container (MiB)."""
    import yaml

    spec = yaml.safe_load(template.read_text(encoding="utf-8"))["spec"]
    templates = {entry["name"]: entry for entry in spec["templates"]}
    for entry in spec["templates"]:
        for task in (entry.get("dag") or {}).get("tasks", []):
            parameters = {p["name"]: p.get("value") for p in task.get("arguments", {}).get("parameters", [])}
            if parameters.get("asset") == asset:
                resources = templates[task["template"]]["container"].get("resources", {})
                return {
                    kind: _mib(resources[plural]["memory"])
                    for kind, plural in (("request", "requests"), ("limit", "limits"))
                    if "memory" in resources.get(plural, {})
                }
    raise RuntimeError(f"no task materializes {asset} in {template}")


def run_pods(rows: int, runs: int) -> list[PodMemory]:
    sensors = math.ceil(rows / HOURS_PER_DAY)
    extra = math.ceil(sensors / SENSORS_PER_EXTRA_LOCATION)
    raw_file = cached_raw_file(rows)
    with tempfile.TemporaryDirectory(prefix="air-quality-stream-memory-") as work:
        port_file = Path(work) / "port"
        server = subprocess.Popen([PYTHON, "-m", "benchmarks.stream_memory", "--serve", str(extra), str(port_file)])
        try:
            while not port_file.exists() or not port_file.read_text(encoding="utf-8"):
                if server.poll() is not None:
                    raise RuntimeError(f"the benchmark's OpenAQ server exited {server.returncode}")
                time.sleep(0.2)
            base_url = f"http://127.0.0.1:{port_file.read_text(encoding='utf-8')}"
            return _measure(rows, runs, raw_file, base_url, Path(work))
        finally:
            server.terminate()
            server.wait()


def run(rows: int, runs: int) -> list[str]:
    """The standalone report: one line per step."""
    lines = []
    for pod in run_pods(rows, runs):
        peak = max(pod.peaks_mib)
        verdict = "met" if peak <= pod.target_mib else "NOT met"
        lines.append(
            f"{pod.asset}: {pod.rows:,} rows, peak {min(pod.peaks_mib):.0f}..{peak:.0f} MiB over {runs} run(s) "
            f"(target <= {pod.target_mib} MiB: {verdict}); compiled request {pod.compiled['request']:.0f} MiB "
            f"({pod.compiled['request'] / peak:.2f}x the peak), limit {pod.compiled['limit']:.0f} MiB "
            f"({pod.compiled['limit'] / peak:.2f}x the peak); {min(pod.seconds):.0f} s"
        )
    return lines


def memory_rows(rows: int, runs: int) -> list["Row"]:
    """`make bench`: each pod's peak with its target, and the compiled request and limit over the measured peaks."""
    from benchmarks.measure import Samples
    from benchmarks.report import Row
    from benchmarks.targets import CLEAN_POD_PEAK, LIMIT_HOLDS_PEAK, RAW_POD_PEAK, REQUEST_HOLDS_PEAK

    at = f"{rows:,} rows"
    table: list[Row] = []
    for pod in run_pods(rows, runs):
        peak_target = RAW_POD_PEAK if pod.asset == "raw_measurements" else CLEAN_POD_PEAK
        judged = rows == 1_000_000
        note = "" if judged else "(targets apply at 1,000,000 rows)"
        table += [
            Row("memory", f"{pod.asset}, {at}: pod wall time", Samples(pod.seconds), "s"),
            Row(
                "memory",
                f"{pod.asset}, {at}: pod peak memory (whole process)",
                Samples(pod.peaks_mib),
                "MiB",
                note,
                target=peak_target if judged else None,
            ),
        ]
        for kind, target in (("request", REQUEST_HOLDS_PEAK), ("limit", LIMIT_HOLDS_PEAK)):
            compiled = pod.compiled[kind]
            table.append(
                Row(
                    "memory",
                    f"{pod.asset}, {at}: compiled memory {kind} ({compiled:.0f} MiB) / pod peak",
                    Samples(tuple(compiled / peak for peak in pod.peaks_mib)),
                    "x",
                    note,
                    target=target if judged else None,
                )
            )
    return table


def _measure(rows: int, runs: int, raw_file: Path, base_url: str, work: Path) -> list[PodMemory]:
    from assets.resources.object_store import ObjectStore
    from devservices.local_stack import DEFAULT_BUCKET
    from devservices.s3.seaweed import running_seaweed

    pods: list[PodMemory] = []
    with running_seaweed(work / "seaweed") as seaweed:
        env = {
            **seaweed.env(DEFAULT_BUCKET),
            "OPENAQ_API_KEY": "bench-key",
            "OPENAQ_BASE_URL": base_url,
            "OPENAQ_REQUESTS_PER_MINUTE": str(STAND_IN_REQUESTS_PER_MINUTE),  # the stand-in's limit, not OpenAQ's 60
        }
        saved = {name: os.environ.get(name) for name in env}
        os.environ.update(env)  # ObjectStore reads MINIO_*; restored at once so later benchmarks start their own store
        try:
            store = ObjectStore.from_env()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        with raw_file.open("rb") as handle:
            store.put_stream(CLEAN_OBJECT, handle, raw_file.stat().st_size, "application/json")
        for name, partition, target in (
            ("raw_measurements", RAW_PARTITION, RAW_TARGET_MIB),
            ("clean_measurements", CLEAN_PARTITION, CLEAN_TARGET_MIB),
        ):
            peaks, seconds, printed = [], [], ""
            for _ in range(runs):
                figures, printed = measured(pod_command(name, partition), env)
                seconds.append(figures["seconds"])
                peaks.append(figures["peak_bytes"] / 2**20)
            read = _ROWS_READ.findall(printed)  # the clean step logs "N clean rows from M"
            size = int(read[-1]) if read and name == "clean_measurements" else rows
            compiled = compiled_memory_mib(f"openaq/{name}")
            pods.append(PodMemory(name, size, tuple(peaks), tuple(seconds), target, compiled))
    return pods


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stream_memory", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="sensor-hours in the day (default 1,000,000)")
    parser.add_argument("--runs", type=int, default=1, help="fresh processes per step")
    parser.add_argument("--serve", nargs=2, metavar=("EXTRA_LOCATIONS", "PORT_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(int(args.serve[0]), args.serve[1])
        return 0
    for line in run(args.rows, args.runs):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
