"""The "asset materialized" event of a compiled `@asset_sensor`: a small marker object the materializing pod writes
into the bucket after a successful materialization, under a reserved prefix the asset sensor's EventSource watches.

Argo Events has no Dagster event log to watch; an object store does emit events (MinIO's bucket notifications), and
`python -m compiler run-events` replays exactly that path locally (it lists the bucket, as for a new_object_sensor).
One key format, read by the build (the EventSource's prefix/suffix), the pod writing it and the pod reading it back:
`.dagster-argo/materialized/<asset/key/path>/<partition>/<run id>.json`, the partition segment `p=<url-quoted key>`
or `unpartitioned`. Free of Dagster, so `build` can import it early.
"""

from dataclasses import dataclass
from urllib.parse import quote, unquote

MARKER_ROOT = ".dagster-argo/materialized/"
MARKER_SUFFIX = ".json"
BUCKET_VARIABLE = "MINIO_BUCKET"  # the bucket the markers go to: [tool.compiler.config] and the pods' env
_UNPARTITIONED = "unpartitioned"


@dataclass(frozen=True)
class Marker:
    asset_path: tuple[str, ...]
    partition: str | None


def marker_prefix(asset_path: tuple[str, ...]) -> str:
    """Every marker of one asset starts with this (the EventSource's `filter.prefix`)."""
    return MARKER_ROOT + "/".join(asset_path) + "/"


def marker_key(asset_path: tuple[str, ...], partition: str | None, run_id: str) -> str:
    segment = _UNPARTITIONED if partition is None else "p=" + quote(partition, safe="")
    return f"{marker_prefix(asset_path)}{segment}/{run_id}{MARKER_SUFFIX}"


def read_marker(key: str) -> Marker | None:
    """The asset and partition a marker stands for; None for a key that is not a marker."""
    if not key.startswith(MARKER_ROOT) or not key.endswith(MARKER_SUFFIX):
        return None
    parts = key[len(MARKER_ROOT) :].split("/")
    if len(parts) < 3 or not all(parts[:-2]):
        return None
    segment = parts[-2]
    if segment == _UNPARTITIONED:
        return Marker(tuple(parts[:-2]), None)
    if not segment.startswith("p="):
        return None
    return Marker(tuple(parts[:-2]), unquote(segment[2:]))


def split_markers(text: str) -> list[str]:
    """The markers an Argo Events trigger concatenated into one parameter (`operation: append`, one per dependency
    of a @multi_asset_sensor's Sensor): each starts with MARKER_ROOT and ends with the first MARKER_SUFFIX after it
    (a marker of an unpartitioned asset has no other `.json` inside)."""
    found: list[str] = []
    rest = text
    while rest.startswith(MARKER_ROOT):
        end = rest.find(MARKER_SUFFIX, len(MARKER_ROOT))
        if end < 0:
            break
        found.append(rest[: end + len(MARKER_SUFFIX)])
        rest = rest[end + len(MARKER_SUFFIX) :]
    return found if not rest else []
