"""Step fusion: `run-local` of the flagship compiled fused (one task, one pod per city, inside the fan-out's per-key
DAG) vs unfused (three tasks, three pods per city).

Both replays run the same tick against the same embedded services, interleaved run by run so each pair saw the same
machine load; a third process per run materializes the three assets with Dagster in process (`materialize`), the
floor any pod-per-chain layout approaches. The fused build is the repository's settings plus `fuse_chains = true`.
The local OpenAQ server has no binding rate limit here: with OpenAQ's 60 requests a minute, each round (about 51
requests) left the next round's first replay waiting about 50 s for the window, which the ratio would have counted.

A fourth process per run materializes the same assets in process the way a pod's runtime treats Python's collector
(compiler/materialize/collection.py and process_exit.py): paused while importing and building the instance, the
start-up's objects frozen before the assets run, no final collection. It is Dagster's own work without those
collections, so `fused / Dagster as a pod runs it` is what run-local and the compiler's pod add to Dagster's work,
and `Dagster as a pod runs it / Dagster in process` is the lowest `fused / Dagster in process` any replay of one pod
per chain could read in the same run (benchmarks/README.md, "The fused run's floor").
"""

import subprocess
import tempfile
from pathlib import Path

from benchmarks.end_to_end import SCHEDULED_TIME, WORKFLOW_TEMPLATE
from benchmarks.measure import PROJECT_ROOT, PYTHON, STAND_IN_REQUESTS_PER_MINUTE, Samples, launch, ratios
from benchmarks.report import Row
from benchmarks.targets import FUSION_SPEEDUP, FUSION_VS_DAGSTER
from devservices.local_stack import local_services

PARTITION = "2026-11-27"  # the day SCHEDULED_TIME materializes, for every city of the first zone
# What the tick runs: the nightly CronWorkflow's entrypoint, the three assets (main also holds the daily summary).
NIGHTLY = ("--entrypoint", "job-air-quality-daily")
# One date × city key per city, as the replay's fan-out runs them. {pause}, {resume} and {end} are empty for Dagster
# in process; AS_A_POD fills them with what a pod does with the collector.
_MATERIALIZE = (
    "{pause}"
    "from dagster import DagsterInstance, MultiPartitionKey, materialize\n"
    "from assets import defs\n"
    "from assets.city import CITIES\n"
    "from assets.partitions import CITY, DATE\n"
    "from assets.zones import zones_of\n"
    "keys = [['openaq', n] for n in ('raw_measurements', 'clean_measurements', 'measurements_parquet')]\n"
    "for city in zones_of(CITIES)[0].cities:\n"
    "    instance = DagsterInstance.ephemeral()\n"
    "{resume}"
    "    result = materialize([defs.get_assets_def(k) for k in keys],\n"
    "        partition_key=str(MultiPartitionKey({{CITY: city.name, DATE: {partition!r}}})),\n"
    "        resources=defs.resources or {{}}, instance=instance)\n"
    "    assert result.success\n"
    "{end}"
)
AS_A_POD = {
    "pause": "import gc\ngc.disable()\n",  # compiler/__main__.py: before the imports
    "resume": "    gc.freeze()\n    gc.enable()\n",  # collection.start_up_done(): the start-up frozen, collecting again
    "end": "gc.freeze()\n",  # process_exit.end_process(): no final collection
}


def materialize_script(partition: str, *, as_a_pod: bool = False) -> str:
    """The `python -c` program that materializes the three assets of `partition`'s day for each city in process."""
    hooks = AS_A_POD if as_a_pod else dict.fromkeys(AS_A_POD, "")
    return _MATERIALIZE.format(partition=partition, **hooks)


def fused_template(directory: Path) -> Path:
    """`compiler build` of the flagship with `fuse_chains = true` into `directory`."""
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if "\n[tool.compiler]\n" not in text:
        raise RuntimeError("pyproject.toml has no [tool.compiler] table to add fuse_chains to")
    settings = directory / "pyproject.toml"
    settings.write_text(text.replace("\n[tool.compiler]\n", "\n[tool.compiler]\nfuse_chains = true\n"), "utf-8")
    out = directory / "argo_out"
    subprocess.run(
        [PYTHON, "-m", "compiler", "build", "--module", "assets", "--settings", str(settings), "--out", str(out)],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    return out / WORKFLOW_TEMPLATE.name


def fusion(runs: int) -> list[Row]:
    replay = [PYTHON, "-m", "compiler", "run-local"]
    unfused: list[float] = []
    fused: list[float] = []
    direct: list[float] = []
    as_a_pod: list[float] = []
    cpu: dict[str, list[float]] = {"unfused": [], "fused": [], "direct": [], "as_a_pod": []}
    with tempfile.TemporaryDirectory(prefix="air-quality-bench-fusion-") as scratch:
        template = fused_template(Path(scratch))
        with local_services(
            Path(scratch),
            lambda message: None,
            openaq_requests_per_minute=STAND_IN_REQUESTS_PER_MINUTE,  # every round starts without waiting
        ) as env:
            for _ in range(runs):
                tick = ("--scheduled-time", SCHEDULED_TIME, *NIGHTLY)
                runs_of = {
                    "unfused": launch([*replay, str(WORKFLOW_TEMPLATE), *tick], env=env),
                    "fused": launch([*replay, str(template), *tick], env=env),
                    "direct": launch([PYTHON, "-c", materialize_script(PARTITION)], env=env),
                    "as_a_pod": launch([PYTHON, "-c", materialize_script(PARTITION, as_a_pod=True)], env=env),
                }
                unfused.append(runs_of["unfused"].seconds)
                fused.append(runs_of["fused"].seconds)
                direct.append(runs_of["direct"].seconds)
                as_a_pod.append(runs_of["as_a_pod"].seconds)
                for name, launched in runs_of.items():
                    cpu[name].append(launched.cpu_seconds)
    return [
        Row("fusion", "run-local, flagship unfused (3 tasks, 3 pods per city)", Samples(tuple(unfused)), "s"),
        Row("fusion", "run-local, flagship fused (1 task, 1 pod per city)", Samples(tuple(fused)), "s"),
        Row("fusion", "Dagster in process, the same 3 assets per city (one process)", Samples(tuple(direct)), "s"),
        Row("fusion", "fused / unfused", ratios(fused, unfused), "x", target=FUSION_SPEEDUP),
        Row("fusion", "unfused / Dagster in process", ratios(unfused, direct), "x", "what fusion attacks"),
        Row("fusion", "fused / Dagster in process", ratios(fused, direct), "x", target=FUSION_VS_DAGSTER),
        Row(
            "fusion",
            "Dagster in process as a pod runs it (collector paused while starting, no final collection)",
            Samples(tuple(as_a_pod)),
            "s",
        ),
        Row(
            "fusion",
            "fused / Dagster as a pod runs it",
            ratios(fused, as_a_pod),
            "x",
            "no target: what run-local and the compiler's pod add to Dagster's own work",
        ),
        Row(
            "fusion",
            "Dagster as a pod runs it / Dagster in process",
            ratios(as_a_pod, direct),
            "x",
            "no target: the lowest fused / Dagster in process a replay of one pod per chain could read in this run",
        ),
        # CPU seconds, run-local's pods included: the work itself, whatever the load (the wall ratio also gains from
        # the fan-out's pods running on both cores, which Dagster's one process does not use)
        Row("fusion", "CPU: fused / Dagster in process", ratios(cpu["fused"], cpu["direct"]), "x", "no target"),
        Row("fusion", "CPU: fused / unfused", ratios(cpu["fused"], cpu["unfused"]), "x", "no target"),
        Row(
            "fusion",
            "CPU: fused / Dagster as a pod runs it",
            ratios(cpu["fused"], cpu["as_a_pod"]),
            "x",
            "no target",
        ),
    ]
