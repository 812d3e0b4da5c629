"""How big a manifest may be once Kubernetes and its usual clients handle it.

Kubernetes stores an object in etcd, whose default request limit is 1.5 MiB (`--max-request-bytes` 1572864); the API
server refuses anything larger. Client-side `kubectl apply` and a default Argo CD sync also copy the whole object
into the `kubectl.kubernetes.io/last-applied-configuration` annotation, and annotations may total 256 KiB at most,
so those clients refuse a manifest above that long before the store would.
Sizes are measured as the compact JSON the API server receives.
"""

import json
from collections.abc import Mapping
from typing import Any

from compiler.errors import UnsupportedInputError

STORED_OBJECT_LIMIT = 1_572_864  # etcd's default request limit: 1.5 MiB
LAST_APPLIED_LIMIT = 262_144  # Kubernetes' total annotation size limit: 256 KiB


def json_size(document: Any) -> int:
    """Bytes of `document` as compact UTF-8 JSON. It sizes only the build's own manifests parsed back (they have no
    YAML aliases, so each is a tree), so the encoder skips its check for cycles (a quarter of its time on the
    Workflow sizes simulated at 10,000 assets)."""
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, check_circular=False)
    return len(text.encode("utf-8"))


def check_sizes(documents: Mapping[str, Any]) -> list[str]:
    """Warnings for manifests only server-side apply can take; an error (exit 2) when one cannot be stored."""
    too_large = {name: json_size(doc) for name, doc in documents.items()}
    refused = {name: size for name, size in too_large.items() if size > STORED_OBJECT_LIMIT}
    if refused:
        names = ", ".join(f"{name} ({_kib(size)})" for name, size in sorted(refused.items()))
        raise UnsupportedInputError(
            f"{names}: larger than the {_kib(STORED_OBJECT_LIMIT)} Kubernetes can store, so nothing was written; "
            "split the assets into several code locations (e.g. one per job, each with its own [tool.compiler] "
            "name) or shorten the asset descriptions"
        )
    return [
        f"{name} is {_kib(size)}, above the {_kib(LAST_APPLIED_LIMIT)} client-side `kubectl apply` and a default "
        "Argo CD sync accept; apply it with `kubectl apply --server-side` (Argo CD: ServerSideApply=true) or "
        "`argo template create`"
        for name, size in sorted(too_large.items())
        if size > LAST_APPLIED_LIMIT
    ]


def _kib(size: int) -> str:
    return f"{size / 1024:.0f} KiB"
