"""`python -m compiler build` as a user runs it: byte-stable output, `--check` diffs, exit codes."""

from pathlib import Path

from tests.compiler.support import REPO, run_compiler, write_project

PROJECT = """
import dagster as dg

@dg.asset(description="first")
def first() -> None: ...

@dg.asset(deps=[first], description="second")
def second() -> None: ...

defs = dg.Definitions(
    assets=[first, second],
    schedules=[dg.ScheduleDefinition(name="daily", target=[first, second], cron_schedule="0 3 * * *")],
)
"""


# Everything whose order a hash seed could change: sets of owners and kinds, dict-valued tags, names that collide
# after sanitising, several schedules, one of them on a subset.
BUSY_PROJECT = """
import dagster as dg

K8S = {"container_config": {"resources": {"requests": {"memory": "1Gi", "cpu": "1"}, "limits": {"memory": "2Gi"}},
                            "env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]},
       "pod_spec_config": {"node_selector": {"zone": "b", "pool": "a"}}}

@dg.asset(key=["team", "first_a"], owners=["b@example.com", "team:zeta", "a@example.com"], kinds={"s3", "pandas"})
def first() -> None: ...

@dg.asset(name="team_first_a", deps=[first], op_tags={"dagster-k8s/config": K8S})
def second() -> None: ...

@dg.asset(deps=[first, second], retry_policy=dg.RetryPolicy(max_retries=2, delay=5))
def third() -> None: ...

subset = dg.define_asset_job("subset", selection=[first, second])
defs = dg.Definitions(
    assets=[first, second, third],
    jobs=[subset],
    schedules=[
        dg.ScheduleDefinition(name="daily", target=[first, second, third], cron_schedule="0 3 * * *"),
        dg.ScheduleDefinition(name="hourly_subset", job=subset, cron_schedule="0 * * * *",
                              execution_timezone="Europe/Vienna"),
    ],
)
"""


def test_output_is_identical_under_different_hash_seeds_and_directories(tmp_path: Path) -> None:
    outputs = []
    for seed in ("1", "4242", "987654"):
        where = tmp_path / f"checkout-{seed}"
        where.mkdir()
        write_project(where, "project", BUSY_PROJECT)
        out = where / "argo_out"
        result = run_compiler("build", "--module", "project", "--out", str(out), cwd=where, seed=seed)
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1] == outputs[2]
    assert sorted(outputs[0]) == [
        "demo-daily.cronworkflow.yaml",
        "demo-executor.role.yaml",
        "demo-executor.rolebinding.yaml",
        "demo-hourly-subset.cronworkflow.yaml",
        "demo.serviceaccount.yaml",
        "demo.workflowtemplate.yaml",
        "kustomization.yaml",
    ]
    text = outputs[0]["demo.workflowtemplate.yaml"].decode()
    assert str(tmp_path) not in text
    assert "checkout-" not in text


def test_check_reports_a_stale_directory_with_a_diff(tmp_path: Path) -> None:
    write_project(tmp_path, "project", PROJECT)
    assert run_compiler("build", "--module", "project", cwd=tmp_path).returncode == 0
    current = run_compiler("build", "--module", "project", "--check", cwd=tmp_path)
    assert current.returncode == 0, current.stdout + current.stderr
    assert current.stdout == ""

    (tmp_path / "project.py").write_text(PROJECT.replace('description="second"', 'description="changed"'))
    stale = run_compiler("build", "--module", "project", "--check", cwd=tmp_path)
    assert stale.returncode == 1
    assert '-                  value: "second"' in stale.stdout
    assert '+                  value: "changed"' in stale.stdout
    assert "is stale" in stale.stderr
    # --check never writes
    assert '"second"' in (tmp_path / "argo_out" / "demo.workflowtemplate.yaml").read_text()


def test_unsupported_input_exits_2_naming_asset_and_feature(tmp_path: Path) -> None:
    write_project(
        tmp_path,
        "project",
        """
        import dagster as dg

        @dg.asset(partitions_def=dg.DynamicPartitionsDefinition(name="ids"))
        def events() -> None: ...

        defs = dg.Definitions(assets=[events])
        """,
    )
    result = run_compiler("build", "--module", "project", cwd=tmp_path)
    assert result.returncode == 2
    assert "asset events" in result.stderr
    assert "DynamicPartitionsDefinition" in result.stderr
    assert not (tmp_path / "argo_out").exists()


def test_usage_errors_exit_2_and_help_works(tmp_path: Path) -> None:
    assert run_compiler("build", "--no-such-flag", cwd=tmp_path).returncode == 2
    for command in ("build", "validate", "materialize", "run-local"):
        result = run_compiler(command, "--help", cwd=tmp_path)
        assert result.returncode == 0, command
        assert "usage:" in result.stdout, command


def test_project_argo_out_is_current() -> None:
    """The golden test of the project itself: committed argo_out/ equals what the code compiles to."""
    result = run_compiler("build", "--check", cwd=REPO)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
