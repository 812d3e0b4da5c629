"""`[tool.compiler.shared_volume]`: one PersistentVolumeClaim every step pod mounts at the same path.

With it a filesystem IO manager whose `base_dir` lies under `mount_path` (or a DuckDB file there) hands values from
one pod to the next, as it does between the steps of one machine under Dagster (compiler/builder/fidelity/
io_handoff.py). The claim must allow every pod to mount it at once (ReadWriteMany, or ReadWriteOnce with all pods on
one node): Kubernetes, not the compiler, decides that.
"""

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compiler.errors import UnsupportedInputError

WHERE = "[tool.compiler.shared_volume]"
VOLUME_NAME = "shared-volume"  # the name in the pod spec; reserved against dagster-k8s/config volumes
CLAIM_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@dataclass(frozen=True)
class SharedVolume:
    claim: str
    mount_path: str

    def holds(self, path: str) -> bool:
        """Whether `path` (a base_dir, a database file) lies on the volume as every pod sees it."""
        if not posixpath.isabs(path):
            return False
        normal = posixpath.normpath(path)
        return normal == self.mount_path or normal.startswith(self.mount_path + "/")


def read_shared_volume(section: Mapping[str, Any]) -> SharedVolume | None:
    """None without the table; otherwise both keys, checked, or exit 2 naming the key."""
    if not section:
        return None
    unknown = sorted(set(section) - {"claim", "mount_path"})
    if unknown:
        raise UnsupportedInputError(f"{WHERE}: unknown key(s) {', '.join(unknown)}; it takes claim and mount_path")
    claim, mount_path = section.get("claim"), section.get("mount_path")
    if not isinstance(claim, str) or not CLAIM_NAME.match(claim) or len(claim) > 253:
        raise UnsupportedInputError(
            f"{WHERE} claim: the PersistentVolumeClaim's name (a DNS-1123 subdomain) is required, got {claim!r}"
        )
    if not isinstance(mount_path, str) or not posixpath.isabs(mount_path) or "{{" in mount_path:
        raise UnsupportedInputError(
            f"{WHERE} mount_path: an absolute path where every pod mounts the claim is required, got {mount_path!r}"
        )
    normal = posixpath.normpath(mount_path)
    if normal in ("/", "/tmp"):  # noqa: S108 (the pods' own emptyDir, named to refuse it)
        raise UnsupportedInputError(
            f"{WHERE} mount_path: {normal} would hide the image (/) or the compiler's writable emptyDir (/tmp); "
            "pick a directory of its own, e.g. /shared"
        )
    return SharedVolume(claim=claim, mount_path=normal)
