"""`python -m compiler plan-partitions`: which upstream partitions one downstream partition reads, by Dagster's own
mapping, as a JSON list an Argo task can fan out over (`withParam`).

A run over assets of different cadences (compiler/builder/cadence.py), e.g. a manual run of a daily asset whose
upstream is hourly, must first build the upstream partitions the daily partition reads. Which ones is Dagster's
answer, never the compiler's: the downstream partition is resolved exactly as its step pod resolves it
(compiler/materialize/partition.py: --partition, else the schedule's tick), then
`get_upstream_mapped_partitions_result_for_partitions` of the asset graph's mapping lists the upstream keys, in the
upstream definition's order. Upstream partitions the mapping names but that do not exist (yet) are a failure naming
them (exit 1: Dagster's input loading fails on them too; a later attempt may find them), unless the mapping allows
them, when they are left out.

A `compiler backfill` of a range (compiler/builder/backfill_upstream.py) passes `--start`/`--end` (keys of the
downstream definition) and, in `--asset`, every asset of the backfilled job that reads `--upstream`: the list is
the union of what each of their partitions in the range reads, each upstream partition once, in the upstream
definition's order, so the backfill builds each once before the downstream partitions. For a time × static
downstream definition (a fanned-out job) `--start`/`--end` are keys of its time dimension, as `compiler backfill`
takes them, and the range is every static key of those windows.

With `--upstream` equal to `--asset` and a DynamicPartitionsDefinition, the list is the keys one run builds of that
asset itself: its keys in the shared Dagster instance, or the explicit partition once the instance confirms it exists
(compiler/materialize/dynamic_keys.py, compiler/builder/dynamic_partitions.py); for a schedule's tick (`--schedule`,
no `--partition`), the keys the schedule's body requests from that instance (compiler/materialize/dynamic_schedule.py).

A multi-asset is one step: `--asset` and `--upstream` stand for every key of their op (what the step runs together),
so the list is the union of what each downstream key reads of each upstream key. A time × static downstream
definition (a fan-out) is resolved once per static key, as its fanned-out pods resolve theirs; an upstream fan-out's
keys are listed whole (`graz|2026-11-28-06:00`), so each item carries every dimension its step needs.
"""

import argparse
import contextlib
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from compiler import exit_codes
from compiler.code_location import add_target_arguments
from compiler.exit_codes import EXIT_CODES_HELP
from compiler.help_format import add_command
from compiler.materialize.dynamic_keys import dynamic_keys, is_dynamic, require_shared_instance
from compiler.materialize.dynamic_schedule import ScheduleTickFailed, scheduled_dynamic_keys
from compiler.materialize.loading import (
    MaterializeUsageError,
    load_definitions,
    parse_asset_key,
    parse_asset_keys,
    pod_location,
    require_asset,
)
from compiler.materialize.partition import parse_scheduled_time, resolve_partition_key
from compiler.materialize.termination import sigterm_as_interrupt
from compiler.user_text import shortened

if TYPE_CHECKING:
    from dagster import AssetKey, Definitions, PartitionsDefinition
    from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
    from dagster._core.definitions.partitions.subset import PartitionsSubset

DESCRIPTION = (
    "Resolve the partition of --asset as its step pod would (--partition, else the schedule's tick) and write the "
    "partitions of --upstream it reads, by Dagster's own partition mapping, as a JSON list to --output: the list "
    "an Argo task fans out over with withParam before the downstream asset runs. With --start/--end (a backfill): "
    "the union over that range of downstream partitions, of every --asset (comma-separated), each key once. "
    "With --upstream equal to --asset "
    "and dynamic partitions: the keys of its DynamicPartitionsDefinition in the shared Dagster instance (or "
    "--partition alone, once the instance confirms it exists)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_target_arguments(parser, required_hint="; this or --python-file is required")
    parser.add_argument(
        "--asset", required=True, help="the downstream asset key (a/b); with --start/--end: several, comma-separated"
    )
    parser.add_argument("--upstream", required=True, help="the upstream asset key whose partitions to list (a/b)")
    parser.add_argument("--output", required=True, help="the file the JSON list is written to (the output parameter)")
    parser.add_argument("--partition", default="", help="the downstream partition; empty: the schedule's tick")
    parser.add_argument(
        "--start",
        default="",
        help="a range of downstream partitions: the first (with --end; time × static: a time key)",
    )
    parser.add_argument("--end", default="", help="a range of downstream partitions: the last, inclusive")
    parser.add_argument("--schedule", default="", help="the Dagster schedule whose tick this is (as materialize)")
    parser.add_argument("--scheduled-time", default=None, help="the tick's time (as materialize)")
    parser.add_argument("--created-time", default=None, help="the workflow's creation time (as materialize)")
    parser.add_argument("--backfill-time", default=None, help="the `argo cron backfill` date (as materialize)")


def register(subparsers: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Hook for `python -m compiler plan-partitions` (compiler/cli.py lists it in SUBCOMMANDS)."""
    parser = add_command(
        subparsers,
        "plan-partitions",
        help="list, by Dagster's partition mapping, the upstream partitions a downstream partition reads "
        "(with --upstream = --asset: a dynamically partitioned asset's keys in the shared instance)",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
        handler=run,
    )
    add_arguments(parser)


class MissingUpstreamPartitions(Exception):
    """The mapping names upstream partitions that do not exist (yet): exit 1."""


def run(args: argparse.Namespace) -> int:
    from compiler.materialize.instance import InstanceUnavailableError  # imports Dagster: only when run

    with contextlib.redirect_stderr(sys.stdout), sigterm_as_interrupt():
        try:
            partition, keys = upstream_keys(args)
        except KeyboardInterrupt:
            print("plan-partitions: FAILED: stopped by a signal (SIGTERM/SIGINT)", flush=True)
            return exit_codes.INTERRUPTED
        except MaterializeUsageError as error:
            print(f"plan-partitions: bad usage: {' '.join(str(error).split())}", flush=True)
            return exit_codes.USAGE
        except InstanceUnavailableError as error:  # retryable, as a step's (compiler/materialize/instance.py)
            print(f"plan-partitions: FAILED: {error}", flush=True)
            return exit_codes.FAILED
        except (MissingUpstreamPartitions, ScheduleTickFailed) as error:
            print(f"plan-partitions: FAILED: {error}", flush=True)
            return exit_codes.FAILED
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(keys), encoding="utf-8")
    shown = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
    readers = f"asset(s) {args.asset} partitions" if args.start or args.end else f"asset {args.asset} partition"
    if partition.startswith(("schedule ", "no tick ")):  # a schedule's tick chose the keys (dynamic_schedule.py)
        chosen = f"{len(keys)} partition(s) of asset {args.upstream}: {shown or '(none)'}"
        print(f"plan-partitions: {partition}: {chosen}", flush=True)
        return exit_codes.SUCCEEDED
    print(
        f"plan-partitions: {readers} {partition} reads {len(keys)} partition(s) of asset "
        f"{args.upstream}: {shown or '(none)'}",
        flush=True,
    )
    return exit_codes.SUCCEEDED


def upstream_keys(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The downstream partition (or range) and the upstream keys it reads, in the upstream definition's order."""
    defs = load_definitions(pod_location(args))
    if args.start or args.end:
        return _range_keys(defs, args)
    child, parent = parse_asset_key(args.asset), parse_asset_key(args.upstream)
    require_asset(defs, child)
    graph = defs.resolve_asset_graph()
    own = graph.get(child).partitions_def
    if child == parent and own is not None and is_dynamic(own):  # the instance's keys (materialize/dynamic_keys.py)
        if (args.schedule or "").strip() and not (args.partition or "").strip():
            return _scheduled_keys(defs, child, own, args)
        keys = dynamic_keys(child, own, args.partition or None)
        return (args.partition or "(every key)"), keys
    children = op_keys(graph, child)
    parents = [key for key in op_keys(graph, parent) if any(key in graph.get_ancestor_asset_keys(c) for c in children)]
    if not graph.has(parent) or not parents:
        raise MaterializeUsageError(f"asset {args.asset!r} does not depend on asset {shortened(args.upstream)!r}")
    child_def, parent_def = graph.get(child).partitions_def, graph.get(parent).partitions_def
    if child_def is None or parent_def is None:
        raise MaterializeUsageError(f"assets {args.asset!r} and {args.upstream!r} must both be partitioned")
    now = datetime.now(UTC)
    tick = parse_scheduled_time(args.scheduled_time, now, args.created_time, args.backfill_time)
    partitions = _tick_partitions(defs, child, args, tick, now)
    partition = ", ".join(partitions) or "(none this tick)"
    subset = child_def.subset_with_partition_keys(partitions)
    wanted = set().union(*(_needed(graph, dict.fromkeys(children, subset), partition, p, now, args) for p in parents))
    return partition, [key for key in parent_def.get_partition_keys(current_time=now) if key in wanted]


def _tick_partitions(
    defs: "Definitions", child: "AssetKey", args: argparse.Namespace, tick: datetime, now: datetime
) -> list[str]:
    """The partitions of `child` this run builds, each resolved as its step pod resolves it: one (compiler/
    materialize/partition.py), or for a time × static fan-out one per static key the tick (or the explicit key)
    selects (compiler/materialize/fan_out_key.py), in the static dimension's order."""
    import dagster as dg

    from compiler.materialize.fan_out_key import resolve_fan_out_key

    definition = defs.resolve_asset_graph().get(child).partitions_def
    explicit, schedule = args.partition or None, args.schedule or None
    if isinstance(definition, dg.MultiPartitionsDefinition) and definition.has_time_window_dimension:
        time = definition.time_window_dimension.name
        [static] = [d.partitions_def for d in definition.partitions_defs if d.name != time]
        items = static.get_partition_keys()
        choices = [resolve_fan_out_key(defs, child, item, explicit, tick, now, schedule) for item in items]
        return [choice.partition for choice in choices if choice.partition is not None]
    partition = resolve_partition_key(defs, child, explicit, tick, now, schedule)
    assert partition is not None  # partitioned, so resolved or a usage error
    return [partition]


def op_keys(graph: "AssetGraph", key: "AssetKey") -> "list[AssetKey]":
    """Every key of the asset's op, which one step runs together for one partition (a multi-asset: compiler/builder/
    cadence.py plans it once, under its first key): what it reads is the union of what each key reads (Dagster's
    backfill of the op's partition), and what it builds is each key's partition."""
    return sorted(graph.assets_def_for_key(key).keys & set(graph.materializable_asset_keys), key=str)


def _scheduled_keys(
    defs: "Definitions", child: "AssetKey", own: "PartitionsDefinition", args: argparse.Namespace
) -> tuple[str, list[str]]:
    """A schedule's tick of a dynamically partitioned asset: the keys its body requests, evaluated against the
    shared instance (compiler/materialize/dynamic_schedule.py), not every key the instance holds."""
    from compiler.materialize.instance import open_instance

    require_shared_instance(child)
    with open_instance() as instance:
        times = (args.scheduled_time, args.created_time, args.backfill_time)
        return scheduled_dynamic_keys(defs, child, own, instance, args.schedule.strip(), times)


def _range_keys(defs: "Definitions", args: argparse.Namespace) -> tuple[str, list[str]]:
    """`--start`..`--end` of every `--asset` (one partitions definition, the backfilled job's): the union of the
    partitions of `--upstream` they read, deduplicated, in the upstream definition's order."""
    if not (args.start and args.end) or args.partition:
        raise MaterializeUsageError("give both --start and --end (a range of downstream partitions), not --partition")
    given = parse_asset_keys([args.asset])
    parent = parse_asset_key(args.upstream)
    for child in given:
        require_asset(defs, child)
    graph = defs.resolve_asset_graph()
    children = sorted({key for child in given for key in op_keys(graph, child)}, key=str)
    definitions = {graph.get(child).partitions_def for child in children}
    parent_def = graph.get(parent).partitions_def if graph.has(parent) else None
    if len(definitions) != 1 or None in definitions or parent_def is None:
        raise MaterializeUsageError(
            f"assets {args.asset!r} must share one partitions definition and, with {args.upstream!r}, be partitioned"
        )
    parents = [key for key in op_keys(graph, parent) if any(key in graph.get_ancestor_asset_keys(c) for c in children)]
    for child in given:
        if not any(p in graph.get_ancestor_asset_keys(c) for p in parents for c in op_keys(graph, child)):
            raise MaterializeUsageError(
                f"asset {child.to_user_string()!r} does not depend on asset {shortened(args.upstream)!r}"
            )
    [child_def] = definitions
    assert child_def is not None
    now = datetime.now(UTC)
    subset = child_def.subset_with_partition_keys(_range(child_def, args, now))
    span = f"{args.start}..{args.end}"
    wanted = set().union(*(_needed(graph, dict.fromkeys(children, subset), span, p, now, args) for p in parents))
    return span, [key for key in parent_def.get_partition_keys(current_time=now) if key in wanted]


def _range(child_def: "PartitionsDefinition", args: argparse.Namespace, now: datetime) -> list[str]:
    """The downstream partitions from --start to --end, inclusive, in the definition's order. A time × static
    definition (a fanned-out job) takes keys of its time dimension, as `compiler backfill` does (compiler/builder/
    backfill_keys.py), and the range is every static key of each of those windows: what the backfill's per-window
    runs of the job build."""
    import dagster as dg

    multi = child_def if isinstance(child_def, dg.MultiPartitionsDefinition) else None
    if multi is not None and not multi.has_time_window_dimension:
        multi = None
    time_def = multi.time_window_partitions_def if multi is not None else child_def
    all_keys = time_def.get_partition_keys(current_time=now)
    for option, key in (("--start", args.start), ("--end", args.end)):
        if key not in all_keys:
            dimension = f" (a key of dimension {multi.time_window_dimension.name})" if multi is not None else ""
            raise MaterializeUsageError(
                f"{option} {shortened(key, quoted=True)} is not a partition of {args.asset}{dimension}"
            )
    first, last = all_keys.index(args.start), all_keys.index(args.end)
    if first > last:
        raise MaterializeUsageError(f"--start {args.start} is after --end {args.end}")
    if multi is None:
        return list(all_keys[first : last + 1])
    windows, time = set(all_keys[first : last + 1]), multi.time_window_dimension.name
    keys = multi.get_partition_keys(current_time=now)
    return [str(key) for key in keys if multi.get_partition_key_from_str(key).keys_by_dimension[time] in windows]


def _needed(
    graph: "AssetGraph",
    wanted: "dict[AssetKey, PartitionsSubset]",
    partition: str,
    ancestor: "AssetKey",
    now: datetime,
    args: argparse.Namespace,
) -> set[str]:
    """The partitions of `ancestor` that the `wanted` partitions of the downstream assets read, through every path
    between them: each asset's partitions are the union of what each of its children on those paths reads
    (Dagster's mapping of each dependency), children first. Partitions a mapping names that do not exist are a
    failure naming them (`partition`: the downstream partition or range, for the message)."""
    between = {
        key
        for child in wanted
        for key in graph.get_ancestor_asset_keys(child)
        if ancestor in {key, *graph.get_ancestor_asset_keys(key)}
    }
    needed: dict[AssetKey, PartitionsSubset] = dict(wanted)
    for level in reversed(graph.toposorted_asset_keys_by_level):
        for key in sorted(set(level) & between, key=lambda k: k.to_user_string()):
            definition = graph.get(key).partitions_def
            assert definition is not None  # every asset between two partitioned ones the planner plans is (cadence.py)
            subset = definition.empty_subset()
            for below in graph.get(key).child_keys:
                if below not in needed:
                    continue
                below_def = graph.get(below).partitions_def
                result = graph.get_partition_mapping(below, key).get_upstream_mapped_partitions_result_for_partitions(
                    needed[below], below_def, definition, current_time=now
                )
                missing = sorted(str(k) for k in result.required_but_nonexistent_subset.get_partition_keys())
                if missing:
                    shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
                    reader = f"asset {args.asset} partition {partition}"
                    if below not in wanted:
                        reader += f" needs asset {below.to_user_string()}, which"
                    raise MissingUpstreamPartitions(
                        f"{reader} reads {len(missing)} partition(s) of asset {key.to_user_string()} that do not "
                        f"exist yet ({shown})"
                    )
                subset = subset | result.partitions_subset
            needed[key] = subset
    return {str(key) for key in needed[ancestor].get_partition_keys()}
