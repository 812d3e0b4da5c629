"""A project using the whole `dagster-k8s/config` tag compiles to valid manifests and replays with run-local: the
secret and field env refs reach the step, and it materializes the keys Dagster does in process."""

import os
from pathlib import Path

from tests.compiler.argo_schema import schema_errors
from tests.compiler.run_local.replay_support import build, compiler, in_process, load_yaml, shapes_env, written_keys

MODULE = "tests.compiler.projects.k8s_tagged"


def test_replay_of_a_fully_tagged_asset(tmp_path: Path) -> None:
    result = build(MODULE, tmp_path)
    assert result.returncode == 0, result.stderr
    template = tmp_path / "out" / "shapes.workflowtemplate.yaml"
    assert schema_errors(load_yaml(template)) == []
    env = {**shapes_env(tmp_path / "replay"), "DB_PASSWORD": "s3cr3t-value", "POD_IP": "10.0.0.7"}
    replay = compiler(["run-local", str(template), "--scheduled-time", "2026-11-28T03:00:00Z"], env)
    assert replay.returncode == 0, replay.stdout[-3000:] + replay.stderr[-2000:]
    assert "s3cr3t-value" not in replay.stdout + replay.stderr
    keys = in_process(MODULE, tmp_path / "direct")
    assert written_keys(tmp_path / "replay") == written_keys(tmp_path / "direct") == keys == {"tagged", "after"}
    # the replayed step saw both variables; the in-process run (no pod) saw neither
    assert (tmp_path / "replay" / "after").read_bytes() != (tmp_path / "direct" / "after").read_bytes()
    assert "DB_PASSWORD" not in os.environ
