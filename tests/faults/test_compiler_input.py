"""Adversarial Definitions through the real CLI: valid YAML on disk, or exit 2 and the out dir left as it was.

In-process mapping of hostile text, collisions and long names is proven in tests/compiler/test_mapping.py, unsupported
features in tests/compiler/test_unsupported.py; this adds the on-disk guarantee of `python -m compiler build`.
"""

from pathlib import Path

import yaml

from tests.compiler.argo_schema import schema_errors
from tests.compiler.support import run_compiler, write_project

HOSTILE = 'key: "value" {{workflow.name}} # not a comment\n- item\n--- \n&anchor *alias !!python/object ]['
ADVERSARIAL = f'''
import dagster as dg

@dg.multi_asset(name="left", specs=[dg.AssetSpec(["a", "b_c"], description={HOSTILE!r})])
def left() -> None:
    return None

@dg.multi_asset(name="right", specs=[dg.AssetSpec(["a_b", "c"], deps=[["a", "b_c"]])])
def right() -> None:
    return None

@dg.asset(name="{"x" * 120}", deps=[["a_b", "c"]], description="{{{{ }}}} ---")
def very_long() -> None:
    return None

job = dg.define_asset_job("nightly", selection="*")
defs = dg.Definitions(
    assets=[left, right, very_long],
    jobs=[job],
    schedules=[dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *", execution_timezone="Europe/Vienna")],
)
'''
UNSUPPORTED = """
import dagster as dg

@dg.asset(partitions_def=dg.DynamicPartitionsDefinition(name="cities"), description="{{ bad }}")
def cities() -> None:
    return None

defs = dg.Definitions(assets=[cities])
"""


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_adversarial_definitions_give_valid_yaml_or_exit_2_and_never_touch_the_out_dir(tmp_path: Path) -> None:
    write_project(tmp_path, "project", ADVERSARIAL)
    out = tmp_path / "argo_out"

    built = run_compiler("build", "--module", "project", "--out", str(out), cwd=tmp_path)

    assert built.returncode == 0, built.stderr
    assert "a/b_c" in built.stderr
    assert "a_b/c" in built.stderr
    files = snapshot(out)
    argo = ["demo-nightly-schedule.cronworkflow.yaml", "demo.workflowtemplate.yaml"]
    bundle = ["demo-executor.role.yaml", "demo-executor.rolebinding.yaml", "demo.serviceaccount.yaml"]
    assert sorted(files) == sorted([*argo, *bundle, "kustomization.yaml"])
    for name in argo:
        data = files[name]
        [document] = list(yaml.safe_load_all(data.decode()))
        assert schema_errors(document) == [], name
        assert b"{{workflow.name}}" not in data  # hostile text is never a live Argo expression
    template = yaml.safe_load(files["demo.workflowtemplate.yaml"])
    dags = {t["name"]: t for t in template["spec"]["templates"] if "dag" in t}
    assert sorted(dags) == ["job-nightly", "main"]  # the job selects everything and gets its DAG too
    names = [task["name"] for task in dags["main"]["dag"]["tasks"]]
    assert [task["name"] for task in dags["job-nightly"]["dag"]["tasks"]] == names
    assert len(names) == len(set(names)) == 3
    assert all(len(name) <= 63 for name in names)

    write_project(tmp_path, "project", UNSUPPORTED)
    failed = run_compiler("build", "--module", "project", "--out", str(out), cwd=tmp_path)

    assert failed.returncode == 2
    assert "asset cities" in failed.stderr
    assert "DynamicPartitionsDefinition" in failed.stderr
    assert snapshot(out) == files  # the previous good manifests are untouched, nothing half-written

    fresh = tmp_path / "fresh_out"
    assert run_compiler("build", "--module", "project", "--out", str(fresh), cwd=tmp_path).returncode == 2
    assert not fresh.exists()
