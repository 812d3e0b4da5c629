"""Test project: an asset with a full `dagster-k8s/config` tag (secret, ConfigMap and field env refs, envFrom,
a volume and its mount, affinity, priority class, pull secret, tightened security contexts, pod metadata)."""

import os

import dagster as dg

TAG = {
    "container_config": {
        "env": [
            {"name": "DB_PASSWORD", "value_from": {"secret_key_ref": {"name": "db", "key": "password"}}},
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        ],
        "env_from": [{"config_map_ref": {"name": "extra-settings"}}],
        "volume_mounts": [{"name": "cache", "mount_path": "/cache"}],
        "security_context": {"run_as_user": 2000},
    },
    "pod_spec_config": {
        "volumes": [{"name": "cache", "empty_dir": {}}],
        "affinity": {"node_affinity": {"preferred_during_scheduling_ignored_during_execution": []}},
        "priority_class_name": "nightly-batch",
        "image_pull_secrets": [{"name": "registry-login"}],
        "security_context": {"fs_group": 3000},
    },
    "pod_template_spec_metadata": {"labels": {"team": "air"}},
}


@dg.asset(op_tags={"dagster-k8s/config": TAG})
def tagged() -> dict[str, bool]:
    """Records which of the tag's variables reached the process (never their values)."""
    return {name: bool(os.environ.get(name)) for name in ("DB_PASSWORD", "POD_IP")}


@dg.asset
def after(tagged: dict[str, bool]) -> int:
    return sum(tagged.values())


defs = dg.Definitions(
    assets=[tagged, after],
    resources={"io_manager": dg.FilesystemIOManager(base_dir=dg.EnvVar("SHAPES_DIR"))},
)
