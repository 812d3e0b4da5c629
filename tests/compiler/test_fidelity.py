"""Issue 14: the compiler never silently changes what a Dagster project means. Each case is a project under
tests/compiler/projects/fidelity/, run both ways (Dagster in process, the compiled YAML through run-local) or
refused/warned exactly."""

from pathlib import Path

import dagster as dg
import pytest
import yaml

from tests.compiler.argo_schema import schema_errors
from tests.compiler.fidelity_support import build, run_local
from tests.compiler.projects.fidelity.record import runs


def test_a_failed_blocking_check_is_not_retried_by_argo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import blocking_check_retry as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize(
        [project.guarded, project.downstream, project.rows_are_plausible],
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    assert not direct.success
    dagster_runs = runs(tmp_path / "dagster-record")
    assert dagster_runs == ["guarded"]  # once, despite RetryPolicy(max_retries=2); downstream never runs

    built = build(tmp_path, "blocking_check_retry")
    assert built.returncode == 0, built.stderr
    replay = run_local(tmp_path)
    output = replay.stdout + replay.stderr
    assert replay.returncode == 1, output
    assert runs(tmp_path / "argo-record") == dagster_runs
    assert "rows_are_plausible" in output
    assert "⊗ guarded exit 3: retryStrategy.expression says not to retry" in output
    assert "⊘ downstream skipped" in output


def test_a_check_with_additional_deps_runs_in_its_own_task_after_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import check_additional_deps as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    (tmp_path / "dagster-record").mkdir()
    direct = dg.materialize(
        [project.prices, project.orders, project.orders_have_prices], instance=dg.DagsterInstance.ephemeral()
    )
    assert direct.success
    [evaluation] = direct.get_asset_check_evaluations()
    assert evaluation.passed

    built = build(tmp_path, "check_additional_deps")
    assert built.returncode == 0, built.stderr
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    [main] = [t for t in template["spec"]["templates"] if t["name"] == "main"]
    depends = {task["name"]: task.get("depends") for task in main["dag"]["tasks"]}
    assert depends == {"prices": None, "orders": None, "orders-check-orders-have-prices": "orders && prices"}
    (tmp_path / "argo-record").mkdir()
    replay = run_local(tmp_path, "--max-parallel", "2")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(tmp_path / "argo-record")) == ["orders", "prices"]
    assert "✔ orders-check-orders-have-prices" in replay.stdout  # it ran after prices, and passed


def test_a_schedule_naming_its_job_compiles_and_runs_that_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.compiler.projects.fidelity import schedule_job_name as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    [request] = project.readings_schedule.evaluate_tick(dg.build_schedule_context()).run_requests or []
    job = project.defs.resolve_job_def(project.readings_schedule.job_name)
    assert job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), tags=request.tags).success
    dagster_runs = runs(tmp_path / "dagster-record")
    assert dagster_runs == ["hourly_reading"]

    built = build(tmp_path, "schedule_job_name")
    assert built.returncode == 0, built.stderr
    assert "Traceback" not in built.stderr
    cron = yaml.safe_load(
        (tmp_path / "out" / "fidelity-readings-schedule.cronworkflow.yaml").read_text(encoding="utf-8")
    )
    assert cron["spec"]["schedules"] == ["0 * * * *"]
    entrypoint = cron["spec"]["workflowSpec"]["entrypoint"]
    replay = run_local(tmp_path, "--entrypoint", entrypoint)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert runs(tmp_path / "argo-record") == dagster_runs


def test_a_job_name_that_names_no_job_is_refused_by_name(tmp_path: Path) -> None:
    from compiler.builder.load import project_from_definitions
    from compiler.errors import UnsupportedInputError
    from tests.compiler.projects.fidelity import schedule_job_name as project

    schedule = dg.ScheduleDefinition(name="typo", job_name="readinsg", cron_schedule="@daily")
    with pytest.raises(UnsupportedInputError) as error:
        project_from_definitions("p", dg.Definitions(assets=[project.hourly_reading], schedules=[schedule]))
    # Dagster's own resolution names it first; the compiler passes that on as a user error (exit 2)
    assert 'ScheduleDefinition "typo" targets job "readinsg" which was not found' in str(error.value)


def test_a_filesystem_io_manager_handoff_runs_in_one_pod_unless_declared_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_pod = build(tmp_path, "io_handoff")
    assert one_pod.returncode == 0, one_pod.stderr
    [warning] = [line for line in one_pod.stderr.splitlines() if "run together in one pod" in line]
    assert warning.startswith(
        "warning: asset total: loads asset reading through IO manager 'io_manager' (a filesystem IO manager), "
        "which keeps values on the producing pod's disk"
    ), one_pod.stderr
    assert 'add "io_manager" to [tool.compiler] shared_io_managers' in warning
    [main] = [
        t
        for t in yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text())["spec"]["templates"]
        if t["name"] == "main"
    ]
    assert [task["name"] for task in main["dag"]["tasks"]] == ["reading-to-total"]

    # Declared shared (here: run-local's tasks share this machine's disk, as pods sharing a volume would)
    built = build(tmp_path, "io_handoff", extra='shared_io_managers = ["io_manager"]')
    assert built.returncode == 0, built.stderr
    assert "run together in one pod" not in built.stderr
    replay = run_local(tmp_path)
    assert replay.returncode == 0, replay.stdout + replay.stderr

    from tests.compiler.projects.fidelity import io_handoff as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize(
        [project.reading, project.total],
        resources={"io_manager": dg.FilesystemIOManager(base_dir=str(tmp_path / "dagster-record" / "io"))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert direct.success
    assert runs(tmp_path / "argo-record") == runs(tmp_path / "dagster-record") == ["reading", "total=42"]


@pytest.mark.parametrize(
    ("resource", "kind"),
    [
        (None, "Dagster's default filesystem IO manager"),
        (dg.mem_io_manager, "an in-memory IO manager"),
        (dg.InMemoryIOManager(), "an in-memory IO manager"),
    ],
)
def test_io_managers_that_never_share_run_in_one_pod_even_when_listed(resource: object, kind: str) -> None:
    from compiler.builder.load import project_from_definitions
    from compiler.builder.plan import make_plan
    from tests.compiler.projects.fidelity import io_handoff as project
    from tests.compiler.support import demo_settings

    resources = {} if resource is None else {"io_manager": resource}
    loaded = project_from_definitions("p", dg.Definitions(assets=[project.reading, project.total], resources=resources))
    plan = make_plan(loaded, demo_settings(shared_io_managers=["io_manager"]))
    [main] = [dag for dag in plan.dags if dag.name == "main"]
    assert [task.asset for task in main.tasks] == ["reading,total"]
    [warning] = plan.pod_local_warnings
    assert warning.startswith(f"asset total: loads asset reading through IO manager 'io_manager' ({kind})")
    assert "keeps values inside one pod" in warning


def test_deps_without_a_value_handoff_need_no_shared_io_manager() -> None:
    from compiler.builder.load import project_from_definitions

    @dg.asset
    def first() -> None:
        return None

    @dg.asset(deps=[first])
    def second() -> None:
        return None

    loaded = project_from_definitions("p", dg.Definitions(assets=[first, second]))
    assert loaded.fidelity.io_handoffs == ()


def test_resource_env_vars_mapped_by_nothing_are_a_build_error(tmp_path: Path) -> None:
    refused = build(tmp_path, "unmapped_env", extra='config_keys = ["WAREHOUSE_URL"]')
    assert refused.returncode == 2, refused.stderr
    [line] = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert line == (
        "error: resources read EnvVar(s) that [tool.compiler] maps to nothing: "
        "REGION (resource 'region', asset regional); "
        "WAREHOUSE_TOKEN (resource 'region', asset regional); "
        "WAREHOUSE_TOKEN (resource 'warehouse', asset loaded); "
        "add each to config_keys (a ConfigMap), env (a plain value) or secrets (a Secret), or the pods fail with "
        "'not set'"
    )
    assert "NEVER_USED" not in refused.stderr  # no asset needs that resource, so no pod initialises it

    mapped = build(
        tmp_path,
        "unmapped_env",
        extra='config_keys = ["WAREHOUSE_URL", "REGION"]\n\n'
        '[tool.compiler.secrets]\nWAREHOUSE_TOKEN = { name = "warehouse", key = "token" }',
    )
    assert mapped.returncode == 0, mapped.stderr


def test_a_tag_request_above_the_default_limit_is_refused_naming_asset_and_fix(tmp_path: Path) -> None:
    limits = '\n[tool.compiler.defaults.resources]\nlimits = { memory = "1Gi" }\nrequests = { memory = "256Mi" }'
    refused = build(tmp_path, "memory_request", extra=limits)
    assert refused.returncode == 2, refused.stderr
    [line] = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert line == (
        "error: asset big_join: requests.memory = 8Gi (from dagster-k8s/config container_config.resources) exceeds "
        "limits.memory = 1Gi (from [tool.compiler.defaults.resources]) after merging, which Kubernetes rejects; "
        "set limits.memory >= 8Gi in the asset's dagster-k8s/config container_config.resources, which overrides "
        "the default"
    )


def _step_resources(resources: dict[str, dict[str, str]], defaults: dict[str, dict[str, str]] | None = None) -> str:
    from compiler.builder.load import project_from_definitions
    from compiler.builder.plan import make_plan
    from compiler.errors import UnsupportedInputError
    from tests.compiler.support import demo_settings

    @dg.asset(op_tags={"dagster-k8s/config": {"container_config": {"resources": resources}}})
    def tuned() -> None:
        return None

    project = project_from_definitions("p", dg.Definitions(assets=[tuned]))
    settings = demo_settings(defaults={"resources": defaults or {}})
    try:
        plan = make_plan(project, settings)
    except UnsupportedInputError as error:
        return str(error)
    [step] = [s for s in plan.steps if s.name != "materialize"]
    return f"ok {dict(step.resources)}"


def test_the_users_own_conflicting_values_are_refused() -> None:
    message = _step_resources({"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}})
    assert message == (
        "asset tuned: requests.cpu = 2 (from dagster-k8s/config container_config.resources) exceeds limits.cpu = "
        "500m (from dagster-k8s/config container_config.resources) after merging, which Kubernetes rejects; "
        "lower requests.cpu or raise limits.cpu there"
    )


def test_malformed_quantities_are_refused() -> None:
    message = _step_resources({"limits": {"memory": "1 GB"}})
    assert message.startswith("asset tuned: dagster-k8s/config container_config.resources limits.memory = '1 GB'")
    assert "not a valid Kubernetes quantity" in message


def test_a_tag_limit_raised_with_its_request_merges_over_the_defaults() -> None:
    result = _step_resources(
        {"requests": {"memory": "8Gi"}, "limits": {"memory": "8Gi"}},
        defaults={"limits": {"memory": "1Gi", "cpu": "1"}, "requests": {"cpu": "1500m"}},
    )
    # the defaults conflict among themselves: named as such, before any asset
    assert result == (
        "[tool.compiler.defaults.resources]: requests.cpu = 1500m (from [tool.compiler.defaults.resources]) exceeds "
        "limits.cpu = 1 (from [tool.compiler.defaults.resources]) after merging, which Kubernetes rejects; "
        "lower requests.cpu or raise limits.cpu there"
    )
    result = _step_resources(
        {"requests": {"memory": "8Gi"}, "limits": {"memory": "8Gi"}},
        defaults={"limits": {"memory": "1Gi", "cpu": "1"}, "requests": {"cpu": "500m"}},
    )
    assert result == "ok {'limits': {'cpu': '1', 'memory': '8Gi'}, 'requests': {'cpu': '500m', 'memory': '8Gi'}}"


def test_freshness_policies_and_unmapped_executor_settings_are_warned_by_name(tmp_path: Path) -> None:
    built = build(tmp_path, "unmapped")
    assert built.returncode == 0, built.stderr
    warnings = [line for line in built.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: asset daily_report: freshness policy is not mapped (Argo has no equivalent); nothing evaluates or "
        "alerts on it, so monitor freshness in Dagster or with an asset check",
        "warning: executor multiprocess (Definitions): tag_concurrency_limits is not mapped (an Argo DAG has no "
        "per-tag limit); use pool= with [tool.compiler.pools] for a shared limit",
    ]


def test_a_pool_without_a_limit_is_refused_naming_asset_and_pool(tmp_path: Path) -> None:
    built = build(tmp_path, "pools")
    assert built.returncode == 2
    assert built.stderr.strip() == (
        "error: asset load_customers: pool 'warehouse' (pool=) has no limit; add `warehouse = N` to "
        "[tool.compiler.pools] (how many steps of the pool may run at once across all runs, as "
        "`dagster instance concurrency set` would)"
    )


def test_pools_become_argo_semaphores_with_their_configmap_and_bound_the_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import pools as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    direct = dg.materialize(list(project.defs.assets or []), instance=dg.DagsterInstance.ephemeral())  # type: ignore[arg-type]
    assert direct.success
    pooled = {node.key.to_user_string() for node in project.defs.resolve_asset_graph().asset_nodes if node.pools}
    assert pooled == {"load_orders", "load_customers", "load_products"}

    built = build(tmp_path, "pools", "[tool.compiler.pools]\nwarehouse = 1")
    assert built.returncode == 0, built.stderr
    out = tmp_path / "out"
    config_map = yaml.safe_load((out / "fidelity-pools.configmap.yaml").read_text(encoding="utf-8"))
    assert config_map["data"] == {"warehouse": "1"}
    assert "fidelity-pools.configmap.yaml" in yaml.safe_load((out / "kustomization.yaml").read_text())["resources"]
    template = yaml.safe_load((out / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    # Optional cross-check with Argo's strict JSON schema, found by tests/shared_files.py (when absent it is reported
    # as skipped in the run's summary; build already validated the manifest with the in-repo structure check).
    assert schema_errors(template) == []
    [main] = [t for t in template["spec"]["templates"] if t["name"] == "main"]
    steps = {t["name"]: t for t in template["spec"]["templates"]}
    semaphores = {
        task["name"]: steps[task["template"]].get("synchronization", {}).get("semaphores")
        for task in main["dag"]["tasks"]
    }
    warehouse = [{"configMapKeyRef": {"name": "fidelity-pools", "key": "warehouse"}}]
    assert semaphores == {
        "fetch-rates": None,
        "load-customers": warehouse,
        "load-orders": warehouse,
        "load-products": warehouse,
    }

    replay = run_local(tmp_path, "--max-parallel", "4", RUN_LOCAL_MUTEX_DIR=str(tmp_path / "locks"))
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(tmp_path / "argo-record")) == sorted(runs(tmp_path / "dagster-record"))
    assert _most_at_once(tmp_path / "argo-record" / "spans.log") == 1  # the pool's limit, though 4 could run


SCOPED_SECRETS = """
global_secrets = ["AUDIT_TOKEN"]
{flag}

[tool.compiler.secrets]
VAULT_TOKEN = {{ name = "vault", key = "token" }}
AUDIT_TOKEN = {{ name = "audit", key = "token" }}
"""


def _secret_names_by_task(tmp_path: Path) -> dict[str, list[str]]:
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    steps = {t["name"]: t for t in template["spec"]["templates"] if "container" in t}
    [main] = [t for t in template["spec"]["templates"] if t["name"] == "main"]
    return {
        task["name"]: sorted(
            entry["name"]
            for entry in steps[task["template"]]["container"].get("env", [])
            if "secretKeyRef" in entry.get("valueFrom", {})
        )
        for task in main["dag"]["tasks"]
    }


def test_secrets_per_asset_mounts_only_what_the_assets_resources_read(tmp_path: Path) -> None:
    built = build(tmp_path, "secret_scope", extra=SCOPED_SECRETS.format(flag="secrets_per_asset = true"))
    assert built.returncode == 0, built.stderr
    assert _secret_names_by_task(tmp_path) == {
        "uses-vault": ["AUDIT_TOKEN", "VAULT_TOKEN"],
        "plain": ["AUDIT_TOKEN"],
    }
    replay = run_local(tmp_path, VAULT_TOKEN="vault-token-value", AUDIT_TOKEN="audit-token-value")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert runs(tmp_path / "argo-record") == [
        "uses_vault VAULT_TOKEN=True AUDIT_TOKEN=True",
        "plain VAULT_TOKEN=False AUDIT_TOKEN=True",
    ]


def test_secrets_per_asset_considers_every_key_of_a_multi_asset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import secret_scope_multi as project

    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(tmp_path / "dagster-record"))
    monkeypatch.setenv("VAULT_TOKEN", "vault-token-value")
    direct = dg.materialize(
        [project.pair, project.unrelated, project.beta_is_signed],
        resources={"vault": project.Vault(token=dg.EnvVar("VAULT_TOKEN"))},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert direct.success
    assert [evaluation.passed for evaluation in direct.get_asset_check_evaluations()] == [True]

    settings = 'secrets_per_asset = true\n\n[tool.compiler.secrets]\nVAULT_TOKEN = { name = "vault", key = "token" }'
    built = build(tmp_path, "secret_scope_multi", extra=settings)
    assert built.returncode == 0, built.stderr
    assert _secret_names_by_task(tmp_path) == {"pair": ["VAULT_TOKEN"], "unrelated": []}
    replay = run_local(tmp_path, VAULT_TOKEN="vault-token-value")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(tmp_path / "argo-record")) == ["pair VAULT_TOKEN=True", "unrelated VAULT_TOKEN=False"]


def test_without_secrets_per_asset_every_pod_gets_every_secret(tmp_path: Path) -> None:
    built = build(tmp_path, "secret_scope", extra=SCOPED_SECRETS.format(flag=""))
    assert built.returncode == 0, built.stderr
    assert _secret_names_by_task(tmp_path) == {
        "uses-vault": ["AUDIT_TOKEN", "VAULT_TOKEN"],
        "plain": ["AUDIT_TOKEN", "VAULT_TOKEN"],
    }


def test_global_secrets_must_name_a_secret(tmp_path: Path) -> None:
    refused = build(tmp_path, "secret_scope", extra='global_secrets = ["NOPE"]')
    assert refused.returncode == 2
    assert "global_secrets: NOPE not in [tool.compiler.secrets]" in refused.stderr


def _most_at_once(spans: Path) -> int:
    """The largest number of asset bodies whose [start, end] intervals overlap."""
    edges = []
    for line in spans.read_text(encoding="utf-8").splitlines():
        _, start, end = line.split()
        edges += [(float(start), 1), (float(end), -1)]
    running = most = 0
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        running += step
        most = max(most, running)
    return most


def test_executor_max_concurrent_becomes_dag_parallelism_and_bounds_the_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.compiler.projects.fidelity import executor_limit as project

    record = tmp_path / "dagster-record"
    monkeypatch.setenv("FIDELITY_RECORD_DIR", str(record))
    record.mkdir()
    job = dg.define_asset_job("all_assets", selection="*").resolve(asset_graph=project.defs.resolve_asset_graph())
    result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral())  # in process: what, not how many
    assert result.success
    dagster_assets = sorted(runs(record))

    built = build(tmp_path, "executor_limit")
    assert built.returncode == 0, built.stderr
    assert "warning: executor" not in built.stderr  # max_concurrent alone is mapped, not approximated
    template = yaml.safe_load((tmp_path / "out" / "fidelity.workflowtemplate.yaml").read_text(encoding="utf-8"))
    [main] = [t for t in template["spec"]["templates"] if t["name"] == "main"]
    assert main["parallelism"] == project.MAX_CONCURRENT

    (tmp_path / "argo-record").mkdir()
    replay = run_local(tmp_path, "--max-parallel", "4")
    assert replay.returncode == 0, replay.stdout + replay.stderr
    assert sorted(runs(tmp_path / "argo-record")) == dagster_assets == ["east", "north", "south", "west"]
    assert _most_at_once(tmp_path / "argo-record" / "spans.log") <= project.MAX_CONCURRENT


@pytest.mark.parametrize(
    ("executor", "expected"),
    [
        (dg.in_process_executor, (1, ())),
        (dg.multiprocess_executor.configured({"max_concurrent": 3}), (3, ())),
        (
            dg.multiprocess_executor,
            (
                None,
                (
                    "executor multiprocess (Definitions): max_concurrent is not set, so Dagster runs as many steps at "
                    "once as the run's machine has CPUs; Argo runs every ready task at once (set max_concurrent to "
                    "bound it)",
                ),
            ),
        ),
        (
            dg.multiprocess_executor.configured(
                {
                    "max_concurrent": 2,
                    "tag_concurrency_limits": [{"key": "db", "limit": 1}],
                    "retries": {"disabled": {}},
                }
            ),
            (
                2,
                (
                    "executor multiprocess (Definitions): retries ['disabled'] is not mapped; Argo still retries each "
                    "asset by its RetryPolicy",
                    "executor multiprocess (Definitions): tag_concurrency_limits is not mapped (an Argo DAG has no "
                    "per-tag limit); use pool= with [tool.compiler.pools] for a shared limit",
                ),
            ),
        ),
    ],
)
def test_executor_settings_map_to_parallelism_or_are_warned_by_name(
    executor: dg.ExecutorDefinition, expected: tuple[int | None, tuple[str, ...]]
) -> None:
    from compiler.builder.fidelity.executor_concurrency import executor_limit

    found = executor_limit(executor, "Definitions")
    assert (found.parallelism, found.warnings) == expected


def test_a_jobs_own_executor_bounds_its_job_dag() -> None:
    from compiler.builder.load import project_from_definitions
    from compiler.builder.plan import make_plan
    from compiler.settings import parse_settings

    @dg.asset
    def first() -> None:
        return None

    @dg.asset
    def second() -> None:
        return None

    job = dg.define_asset_job("only_first", selection=[first], executor_def=dg.in_process_executor)
    schedule = dg.ScheduleDefinition(job=job, cron_schedule="0 1 * * *")
    project = project_from_definitions("p", dg.Definitions(assets=[first, second], jobs=[job], schedules=[schedule]))
    assert project.fidelity.dag_parallelism == (("only_first", 1),)
    plan = make_plan(
        project,
        parse_settings(
            {
                "name": "p",
                "image": "registry.example/p",
                "config_map": "p-config",
                "namespace": "argo",
                "service_account": "p",
            }
        ),
    )
    assert {dag.name: dag.parallelism for dag in plan.dags} == {"main": None, "job-only-first": 1}
